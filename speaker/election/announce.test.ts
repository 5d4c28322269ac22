import fc from 'fast-check';
import { electL2Winner, sortL2Candidates } from './candidates';
import {
  buildElectionContext,
  EXCLUDE_LB_LABEL,
  isNetworkUnavailable,
  l2Candidates,
  shouldAnnounce,
} from './announce';
import { ad, matchLabels, nodes, ready, slices, svc } from './testdata';
import type { ElectionAdvertisement, ElectionNode, ElectionService, EndpointSlice } from './types';

const TWO = ['iris1', 'iris2'];

function decide(
  me: string,
  service: ElectionService,
  eps: EndpointSlice[],
  ads: ElectionAdvertisement[],
  opts: {
    alive?: string[];
    known?: Map<string, ElectionNode>;
    ignoreExcludeLB?: boolean;
    disabled?: boolean;
  } = {},
) {
  const known = opts.known ?? nodes(opts.alive ?? TWO);
  const ctx = buildElectionContext({
    myNode: me,
    nodes: known,
    aliveSpeakers: opts.disabled ? undefined : new Set(opts.alive ?? [...known.keys()]),
    ignoreExcludeLB: opts.ignoreExcludeLB ?? false,
  });
  const d = shouldAnnounce(ctx, service, eps, ads);
  return d.announce ? '' : d.reason;
}

/** Who announces, per node: the winner says '' and everyone else a reason. */
function everyone(service: ElectionService, eps: EndpointSlice[], ads: ElectionAdvertisement[], opts = {}) {
  const names = [...((opts as { known?: Map<string, ElectionNode> }).known?.keys() ?? TWO)];
  return Object.fromEntries(names.map((n) => [n, decide(n, service, eps, ads, opts)]));
}

const both = [ad('all', TWO)];
const epsBoth = slices([ready('iris1'), ready('iris2')]);

describe('shouldAnnounce endpoint rules (upstream TestShouldAnnounceEPSlices)', () => {
  it('ETP Local, endpoints on iris1 only: iris1 announces', () => {
    const s = svc('10.20.30.1', { externalTrafficPolicy: 'Local' });
    expect(everyone(s, slices([ready('iris1'), ready('iris1')]), both)).toEqual({
      iris1: '',
      iris2: 'notOwner',
    });
  });
  it('no endpoint ready: nobody announces', () => {
    const s = svc('10.20.30.1', { externalTrafficPolicy: 'Local' });
    const eps = slices([ready('iris1', { ready: false }), ready('iris2', { ready: false })]);
    expect(everyone(s, eps, both)).toEqual({ iris1: 'notOwner', iris2: 'notOwner' });
  });
  it('ETP Local, iris1 ready and iris2 only serving: hash picks iris2 for 10.20.30.1', () => {
    const s = svc('10.20.30.1', { externalTrafficPolicy: 'Local' });
    const eps = slices([ready('iris1'), ready('iris2', { ready: false, serving: true })]);
    expect(everyone(s, eps, both)).toEqual({ iris1: 'notOwner', iris2: '' });
  });
  it('ETP Local, iris2 not ready: iris1 announces even though the hash prefers iris2', () => {
    const s = svc('10.20.30.1', { externalTrafficPolicy: 'Local' });
    const eps = slices([ready('iris1'), ready('iris2', { ready: false })]);
    expect(everyone(s, eps, both)).toEqual({ iris1: '', iris2: 'notOwner' });
  });
  it('two services split across the two speakers by hash', () => {
    expect(everyone(svc('10.20.30.1'), epsBoth, both)).toEqual({ iris1: 'notOwner', iris2: '' });
    expect(everyone(svc('10.20.30.2'), epsBoth, both)).toEqual({ iris1: '', iris2: 'notOwner' });
  });
  it('ETP Cluster ignores where the endpoints are', () => {
    expect(everyone(svc('10.20.30.1'), slices([ready('iris1')]), both)).toEqual({
      iris1: 'notOwner',
      iris2: '',
    });
  });
  it('a dead speaker is not a candidate', () => {
    expect(decide('iris1', svc('10.20.30.1'), epsBoth, both, { alive: ['iris1'], known: nodes(TWO) })).toBe(
      '',
    );
  });
  it('memberlist disabled: every known Node counts as a live speaker', () => {
    expect(everyone(svc('10.20.30.1'), epsBoth, both, { disabled: true, known: nodes(TWO) })).toEqual({
      iris1: 'notOwner',
      iris2: '',
    });
  });
  it('dual-stack: the first ingress IP feeds the hash', () => {
    const v4first = svc(['10.20.30.2', '2001:db8::1']);
    const v6first = svc(['2001:db8::1', '10.20.30.2']);
    expect(everyone(v4first, epsBoth, both)).toEqual({ iris1: '', iris2: 'notOwner' });
    expect(electL2Winner(TWO, '2001:db8::1', [])).toBe('iris2');
    expect(everyone(v6first, epsBoth, both)).toEqual({ iris1: 'notOwner', iris2: '' });
  });
  it('no ingress IP yet: nothing to announce', () => {
    expect(decide('iris1', svc([]), epsBoth, both)).toBe('notOwner');
  });
});

describe('shouldAnnounce preferred nodes (upstream TestShouldAnnouncePreferredNode)', () => {
  it('the preferred node wins where the hash would pick the other', () => {
    const ads = [ad('pref', TWO, { preferred: { iris1: 10 } })];
    expect(everyone(svc('10.20.30.1'), epsBoth, ads)).toEqual({ iris1: '', iris2: 'notOwner' });
  });
  it('a dead preferred node falls back to the hash order', () => {
    const ads = [ad('pref', ['iris1', 'iris2', 'iris3'], { preferred: { iris1: 10 } })];
    const known = nodes(['iris1', 'iris2', 'iris3']);
    const alive = ['iris2', 'iris3'];
    const expected = sortL2Candidates(alive, '10.20.30.1', ads)[0];
    for (const me of alive) {
      expect(decide(me, svc('10.20.30.1'), epsBoth, ads, { alive, known })).toBe(
        me === expected ? '' : 'notOwner',
      );
    }
  });
  it('preference from an advertisement the Service does not match does not count', () => {
    const ads = [
      ad('pref', TWO, { preferred: { iris1: 10 }, serviceSelectors: [matchLabels({ app: 'other' })] }),
      ad('plain', TWO),
    ];
    expect(everyone(svc('10.20.30.1', { labels: { app: 'web' } }), epsBoth, ads)).toEqual({
      iris1: 'notOwner',
      iris2: '',
    });
  });
  it('a preferred node without endpoints loses under ETP Local', () => {
    const ads = [ad('pref', TWO, { preferred: { iris1: 10 } })];
    const s = svc('10.20.30.2', { externalTrafficPolicy: 'Local' });
    expect(everyone(s, slices([ready('iris2')]), ads)).toEqual({ iris1: 'notOwner', iris2: '' });
  });
});

describe('shouldAnnounce with mixed advertisements (upstream TestShouldAnnounceSplitBrainWithMixedAds)', () => {
  // One advertisement covers iris1 only, another covers iris2 only. Computing candidates from the ads that
  // include my node alone would make both speakers elect themselves; the set comes from every matching ad.
  it('exactly one speaker announces', () => {
    const ads = [ad('only-1', ['iris1']), ad('only-2', ['iris2'])];
    for (const ip of ['10.20.30.1', '10.20.30.2', '192.0.2.1', '2001:db8::1']) {
      const result = everyone(svc(ip), epsBoth, ads);
      expect(Object.values(result).filter((r) => r === '')).toHaveLength(1);
    }
  });
  it('a node no advertisement covers says noMatchingAdvertisement', () => {
    const known = nodes(['iris1', 'iris2', 'iris3']);
    const ads = [ad('only-1', ['iris1']), ad('only-2', ['iris2'])];
    expect(decide('iris3', svc('10.20.30.1'), epsBoth, ads, { known })).toBe('noMatchingAdvertisement');
  });
});

describe('shouldAnnounce service selectors (upstream TestL2ServiceSelectorFiltersCandidateNodes)', () => {
  const ads = [
    ad('web', ['iris1'], { serviceSelectors: [matchLabels({ app: 'web' })] }),
    ad('db', ['iris2'], { serviceSelectors: [matchLabels({ app: 'db' })] }),
  ];
  it('only nodes of the advertisements the Service matches are candidates', () => {
    // The hash prefers iris2 for 10.20.30.1, but only iris1's advertisement selects app=web.
    expect(everyone(svc('10.20.30.1', { labels: { app: 'web' } }), epsBoth, ads)).toEqual({
      iris1: '',
      iris2: 'noMatchingAdvertisement',
    });
    expect(everyone(svc('10.20.30.2', { labels: { app: 'db' } }), epsBoth, ads)).toEqual({
      iris1: 'noMatchingAdvertisement',
      iris2: '',
    });
  });
  it('a Service no advertisement selects is announced by nobody', () => {
    expect(everyone(svc('10.20.30.1', { labels: { app: 'cache' } }), epsBoth, ads)).toEqual({
      iris1: 'noMatchingAdvertisement',
      iris2: 'noMatchingAdvertisement',
    });
  });
  it('an advertisement without selectors matches every Service', () => {
    const withAll = [...ads, ad('all', TWO)];
    expect(everyone(svc('10.20.30.1', { labels: { app: 'web' } }), epsBoth, withAll)).toEqual({
      iris1: 'notOwner',
      iris2: '',
    });
  });
});

describe('shouldAnnounce shared IPs (upstream TestL2SharedIPWithServiceSelectors)', () => {
  const selected = [ad('web', TWO, { serviceSelectors: [matchLabels({ app: 'web' })] })];
  it.each([['metallb.io/allow-shared-ip'], ['metallb.universe.tf/allow-shared-ip']])(
    '%s with a service-selecting advertisement is refused',
    (key) => {
      const s = svc('10.20.30.1', { labels: { app: 'web' }, annotations: { [key]: 'k' } });
      expect(everyone(s, epsBoth, selected)).toEqual({
        iris1: 'sharedIPWithServiceSelector',
        iris2: 'sharedIPWithServiceSelector',
      });
    },
  );
  it('a shared IP with plain advertisements is announced', () => {
    const s = svc('10.20.30.1', { annotations: { 'metallb.io/allow-shared-ip': 'k' } });
    expect(everyone(s, epsBoth, both)).toEqual({ iris1: 'notOwner', iris2: '' });
  });
  it('an empty allow-shared-ip value does not share', () => {
    const s = svc('10.20.30.1', {
      labels: { app: 'web' },
      annotations: { 'metallb.io/allow-shared-ip': '' },
    });
    expect(everyone(s, epsBoth, selected)).toEqual({ iris1: 'notOwner', iris2: '' });
  });
  it('a selecting advertisement the Service does not match does not refuse it', () => {
    const ads = [
      ...selected.map((a) => ({ ...a, serviceSelectors: [matchLabels({ app: 'db' })] })),
      ad('all', TWO),
    ];
    const s = svc('10.20.30.1', {
      labels: { app: 'web' },
      annotations: { 'metallb.io/allow-shared-ip': 'k' },
    });
    expect(everyone(s, epsBoth, ads)).toEqual({ iris1: 'notOwner', iris2: '' });
  });
});

describe('shouldAnnounce node rules (upstream TestShouldAnnounceFromNodes)', () => {
  const excluded = nodes(TWO, { iris2: { labels: { [EXCLUDE_LB_LABEL]: '' } } });
  it('a node labelled exclude-from-external-load-balancers is not a candidate', () => {
    expect(everyone(svc('10.20.30.1'), epsBoth, both, { known: excluded })).toEqual({
      iris1: '',
      iris2: 'notOwner',
    });
  });
  it('--ignore-exclude-lb keeps it', () => {
    expect(everyone(svc('10.20.30.1'), epsBoth, both, { known: excluded, ignoreExcludeLB: true })).toEqual({
      iris1: 'notOwner',
      iris2: '',
    });
  });
  it('NetworkUnavailable=True removes a node', () => {
    const known = nodes(TWO, { iris2: { networkUnavailable: true } });
    expect(everyone(svc('10.20.30.1'), epsBoth, both, { known })).toEqual({ iris1: '', iris2: 'notOwner' });
    expect(isNetworkUnavailable([{ type: 'NetworkUnavailable', status: 'True' }])).toBe(true);
    expect(isNetworkUnavailable([{ type: 'NetworkUnavailable', status: 'False' }])).toBe(false);
    expect(isNetworkUnavailable(undefined)).toBe(false);
  });
  it('node selector excludes the hash winner: the other node announces', () => {
    expect(everyone(svc('10.20.30.1'), epsBoth, [ad('only-1', ['iris1'])])).toEqual({
      iris1: '',
      iris2: 'noMatchingAdvertisement',
    });
  });
  it('node selector with ETP Local and the endpoint on the unselected node: nobody announces', () => {
    const s = svc('10.20.30.1', { externalTrafficPolicy: 'Local' });
    expect(everyone(s, slices([ready('iris2')]), [ad('only-1', ['iris1'])])).toEqual({
      iris1: 'notOwner',
      iris2: 'noMatchingAdvertisement',
    });
  });
  it('node selector with ETP Local and the endpoint on the selected node', () => {
    const s = svc('10.20.30.2', { externalTrafficPolicy: 'Local' });
    expect(everyone(s, slices([ready('iris2')]), [ad('only-2', ['iris2'])])).toEqual({
      iris1: 'noMatchingAdvertisement',
      iris2: '',
    });
  });
});

describe('every speaker computes the same winner (property)', () => {
  const names = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
  const subset = fc.subarray(names);
  const arbAd = fc.record({
    nodes: subset,
    preferred: fc.dictionary(fc.constantFrom(...names), fc.integer({ min: 0, max: 3 }), { maxKeys: 3 }),
    selectsWeb: fc.boolean(),
  });
  it('at most one node announces, and exactly one when the candidate set is not empty', () => {
    fc.assert(
      fc.property(
        fc.array(arbAd, { minLength: 1, maxLength: 4 }),
        subset,
        subset,
        subset,
        fc.constantFrom<'Cluster' | 'Local'>('Cluster', 'Local'),
        fc.ipV4(),
        fc.boolean(),
        (rawAds, alive, excludedNodes, endpointNodes, etp, ip, isWeb) => {
          const ads = rawAds.map((a, i) =>
            ad(`ad${i}`, a.nodes, {
              preferred: a.preferred,
              serviceSelectors: a.selectsWeb ? [matchLabels({ app: 'web' })] : [],
            }),
          );
          const known = nodes(
            names,
            Object.fromEntries(excludedNodes.map((n) => [n, { labels: { [EXCLUDE_LB_LABEL]: 'x' } }])),
          );
          const service = svc(ip, { externalTrafficPolicy: etp, labels: isWeb ? { app: 'web' } : {} });
          const eps = slices(
            endpointNodes.map((n) => ready(n)),
            [ready('elsewhere')],
          );
          const contexts = names.map((me) =>
            buildElectionContext({
              myNode: me,
              nodes: known,
              aliveSpeakers: new Set(alive),
              ignoreExcludeLB: false,
            }),
          );
          const winners = names.filter((_, i) => {
            const ctx = contexts[i];
            return ctx !== undefined && shouldAnnounce(ctx, service, eps, ads).announce;
          });
          expect(winners.length).toBeLessThanOrEqual(1);
          const ctx0 = contexts[0];
          if (ctx0 === undefined) throw new Error('no context');
          const matching = ads.filter((a) => a.serviceSelectors.length === 0 || isWeb);
          const candidates = l2Candidates(ctx0, service, eps, matching);
          expect(winners).toEqual(
            candidates.length > 0 ? [sortL2Candidates(candidates, ip, matching)[0]] : [],
          );
          for (const w of winners) {
            expect(alive).toContain(w);
            expect(excludedNodes).not.toContain(w);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
