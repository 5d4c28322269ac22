// The webhook handlers given AdmissionReview and ConversionReview JSON, as the API server sends them.
import { bfd, bgpAd, community, NS, peer, pool } from '../../testkit/configfixtures';
import type { ClusterResources } from '../../config/resources';
import { silentLogger } from '../../kube/log';
import { WebhookServer } from './server';

function review(kind: string, operation: string, object: unknown, oldObject?: unknown) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: 'metallb.io', version: kind === 'BGPPeer' ? 'v1beta2' : 'v1beta1', kind },
      name: 'x',
      namespace: NS,
      operation,
      object: object ?? null,
      ...(oldObject !== undefined ? { oldObject } : {}),
    },
  };
}

function server(existing: ClusterResources = {}): WebhookServer {
  return new WebhookServer({ namespace: NS, snapshot: async () => existing, logger: silentLogger() });
}

interface Response {
  response: { uid: string; allowed: boolean; status?: { message: string }; warnings?: string[] };
}

async function admit(existing: ClusterResources, path: string, body: unknown): Promise<Response['response']> {
  const out = await server(existing).handle(path, body);
  expect(out.status).toBe(200);
  return (out.body as Response).response;
}

const POOL_PATH = '/validate-metallb-io-v1beta1-ipaddresspool';

describe('validating webhooks', () => {
  it('admits a valid IPAddressPool and echoes the uid', async () => {
    const r = await admit({}, POOL_PATH, review('IPAddressPool', 'CREATE', pool('web', ['192.0.2.0/24'])));
    expect(r).toEqual({ uid: 'uid-1', allowed: true });
  });

  it('denies a pool created outside the MetalLB namespace', async () => {
    const r = await admit(
      {},
      POOL_PATH,
      review('IPAddressPool', 'CREATE', pool('web', ['192.0.2.0/24'], {}, { namespace: 'default' })),
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toBe('resource must be created in metallb-system namespace');
  });

  it('denies a malformed address naming the object and field', async () => {
    const r = await admit(
      {},
      POOL_PATH,
      review('IPAddressPool', 'CREATE', pool('web', ['192.0.2.10-192.0.2.5'])),
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('IPAddressPool metallb-system/web');
    expect(r.status?.message).toContain('spec.addresses[0]');
  });

  it('denies a pool overlapping an existing one', async () => {
    const existing = { ipAddressPools: [pool('a', ['192.0.2.0/24'])] };
    const r = await admit(
      existing,
      POOL_PATH,
      review('IPAddressPool', 'CREATE', pool('b', ['192.0.2.128/25'])),
    );
    expect(r.allowed).toBe(false);
  });

  it('denies a pool change that breaks the aggregation length of a BGPAdvertisement selecting it', async () => {
    const existing = {
      ipAddressPools: [pool('web', ['192.0.2.0/24'])],
      bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['web'], aggregationLength: 24 })],
    };
    const r = await admit(
      existing,
      POOL_PATH,
      review('IPAddressPool', 'UPDATE', pool('web', ['192.0.2.0/28'])),
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('BGPAdvertisement metallb-system/ad');
  });

  it('an UPDATE replaces its namesake rather than overlapping with it', async () => {
    const existing = { ipAddressPools: [pool('a', ['192.0.2.0/24'])] };
    const r = await admit(
      existing,
      POOL_PATH,
      review('IPAddressPool', 'UPDATE', pool('a', ['192.0.2.0/25'])),
    );
    expect(r.allowed).toBe(true);
  });

  it('always admits a DELETE of a pool', async () => {
    const r = await admit(
      {},
      POOL_PATH,
      review('IPAddressPool', 'DELETE', null, pool('a', ['192.0.2.0/24'])),
    );
    expect(r.allowed).toBe(true);
  });

  it('denies deleting a BFDProfile a BGPPeer uses', async () => {
    const existing = {
      bgpPeers: [peer('p1', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', bfdProfile: 'fast' })],
    };
    const r = await admit(
      existing,
      '/validate-metallb-io-v1beta1-bfdprofile',
      review('BFDProfile', 'DELETE', null, bfd('fast')),
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('BGPPeer metallb-system/p1');
  });

  it('admits a BGPPeer whose BFD profile does not exist yet (a transient reference)', async () => {
    const p = peer('p1', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', bfdProfile: 'later' });
    const r = await admit({}, '/validate-metallb-io-v1beta2-bgppeer', review('BGPPeer', 'CREATE', p));
    expect(r.allowed).toBe(true);
  });

  it('denies a BGPPeer with an invalid address', async () => {
    const p = peer('p1', { myASN: 64512, peerASN: 64513, peerAddress: 'nope' });
    const r = await admit({}, '/validate-metallb-io-v1beta2-bgppeer', review('BGPPeer', 'CREATE', p));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('BGPPeer metallb-system/p1');
  });

  it('warns about disableMP and still validates', async () => {
    const p = peer('p1', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', disableMP: true });
    const r = await admit({}, '/validate-metallb-io-v1beta2-bgppeer', review('BGPPeer', 'CREATE', p));
    expect(r).toEqual({
      uid: 'uid-1',
      allowed: true,
      warnings: ['disableMP is deprecated and has no effect'],
    });
  });

  it('denies a Community with a malformed value', async () => {
    const c = community('c', [{ name: 'bad', value: 'not-a-community' }]);
    const r = await admit({}, '/validate-metallb-io-v1beta1-community', review('Community', 'CREATE', c));
    expect(r.allowed).toBe(false);
  });

  it('answers 404 for an unknown path and 400 for a body that is not a review', async () => {
    expect((await server().handle('/validate-nothing', {})).status).toBe(404);
    expect((await server().handle(POOL_PATH, { hello: 'world' })).status).toBe(400);
  });

  it('denies, rather than crashes, when the current objects cannot be read', async () => {
    const failing = new WebhookServer({
      namespace: NS,
      snapshot: async () => {
        throw new Error('apiserver unavailable');
      },
      logger: silentLogger(),
    });
    const out = await failing.handle(
      POOL_PATH,
      review('IPAddressPool', 'CREATE', pool('web', ['192.0.2.0/24'])),
    );
    const r = (out.body as Response).response;
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('apiserver unavailable');
  });
});

describe('BGPPeer conversion webhook', () => {
  const v1beta1 = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BGPPeer',
    metadata: { name: 'p1', namespace: NS, uid: 'abc' },
    spec: {
      myASN: 64512,
      peerASN: 64513,
      peerAddress: '192.0.2.1',
      holdTime: '90s',
      nodeSelectors: [
        { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] },
      ],
    },
  };

  async function convert(objects: unknown[], desiredAPIVersion: string) {
    const out = await server().handle('/convert', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'c-1', desiredAPIVersion, objects },
    });
    return (
      out.body as {
        response: {
          uid: string;
          convertedObjects: Record<string, unknown>[];
          result: { status: string; message?: string };
        };
      }
    ).response;
  }

  it('converts v1beta1 to v1beta2 keeping metadata', async () => {
    const r = await convert([v1beta1], 'metallb.io/v1beta2');
    expect(r.uid).toBe('c-1');
    expect(r.result.status).toBe('Success');
    expect(r.convertedObjects[0]).toMatchObject({
      apiVersion: 'metallb.io/v1beta2',
      metadata: { name: 'p1', uid: 'abc' },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', holdTime: '90s', peerPort: 179 },
    });
  });

  it('round-trips v1beta1 -> v1beta2 -> v1beta1', async () => {
    const up = await convert([v1beta1], 'metallb.io/v1beta2');
    const down = await convert(up.convertedObjects, 'metallb.io/v1beta1');
    expect(down.convertedObjects[0]).toEqual({ ...v1beta1, spec: { ...v1beta1.spec, peerPort: 179 } });
  });

  it('fails the whole review for an unknown target version', async () => {
    const r = await convert([v1beta1], 'metallb.io/v9');
    expect(r.result).toEqual({ status: 'Failure', message: 'unsupported desiredAPIVersion metallb.io/v9' });
  });
});
