import { formatCidr } from '../addr/cidr';
import { EVERYTHING } from './selector';
import { ExpectedError, buildOk, cidrs, expectErrors, namespace, pool } from '../testkit/configfixtures';
import { ClusterResources } from './resources';
import { Config } from './types';

const texts = (list: readonly { family: 4 | 6; base: bigint; prefix: number }[]) => list.map(formatCidr);

interface OkCase {
  desc: string;
  resources: ClusterResources;
  check: (config: Config) => void;
}

const okCases: OkCase[] = [
  {
    desc: 'empty config',
    resources: {},
    check: (c) => {
      expect(c.pools.size).toBe(0);
      expect(c.peers.size).toBe(0);
      expect(c.bfdProfiles.size).toBe(0);
      expect(c.l2Advertisements).toEqual([]);
      expect(c.bgpAdvertisements).toEqual([]);
    },
  },
  {
    desc: 'pool with CIDRs, avoidBuggyIPs and autoAssign false',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16', '10.50.0.0/24'], { avoidBuggyIPs: true, autoAssign: false }),
      ],
    },
    check: (c) => {
      const p = c.pools.get('pool1');
      expect(p && texts(p.cidrs)).toEqual(['10.20.0.0/16', '10.50.0.0/24']);
      expect(p?.avoidBuggyIPs).toBe(true);
      expect(p?.autoAssign).toBe(false);
      expect(p?.serviceAllocation).toBeUndefined();
    },
  },
  {
    desc: 'autoAssign defaults to true and avoidBuggyIPs to false',
    resources: { ipAddressPools: [pool('pool2', ['30.0.0.0/8'])] },
    check: (c) => {
      expect(c.pools.get('pool2')).toMatchObject({ autoAssign: true, avoidBuggyIPs: false });
    },
  },
  {
    desc: 'ranges are summarised into CIDRs exactly as upstream (pool3 of "config using all features")',
    resources: {
      ipAddressPools: [
        pool('pool3', [
          '40.0.0.0/25',
          '40.0.0.150-40.0.0.200',
          '40.0.0.210 - 40.0.0.240',
          '40.0.0.250 - 40.0.0.250',
        ]),
      ],
    },
    check: (c) => {
      const p = c.pools.get('pool3');
      expect(p && texts(p.cidrs)).toEqual([
        '40.0.0.0/25',
        '40.0.0.150/31',
        '40.0.0.152/29',
        '40.0.0.160/27',
        '40.0.0.192/29',
        '40.0.0.200/32',
        '40.0.0.210/31',
        '40.0.0.212/30',
        '40.0.0.216/29',
        '40.0.0.224/28',
        '40.0.0.240/32',
        '40.0.0.250/32',
      ]);
      expect(p && texts(p.cidrsPerAddress.get('40.0.0.250 - 40.0.0.250') ?? [])).toEqual(['40.0.0.250/32']);
    },
  },
  {
    desc: 'range 3.3.3.2-3.3.3.254 summarises to 13 CIDRs (aggregation length by range)',
    resources: { ipAddressPools: [pool('pool1', ['3.3.3.2-3.3.3.254'])] },
    check: (c) => {
      const p = c.pools.get('pool1');
      expect(p && texts(p.cidrs)).toEqual([
        '3.3.3.2/31',
        '3.3.3.4/30',
        '3.3.3.8/29',
        '3.3.3.16/28',
        '3.3.3.32/27',
        '3.3.3.64/26',
        '3.3.3.128/26',
        '3.3.3.192/27',
        '3.3.3.224/28',
        '3.3.3.240/29',
        '3.3.3.248/30',
        '3.3.3.252/31',
        '3.3.3.254/32',
      ]);
    },
  },
  {
    desc: 'IPv6 pool',
    resources: { ipAddressPools: [pool('pool4', ['2001:db8::/64'])] },
    check: (c) => {
      const p = c.pools.get('pool4');
      expect(p && texts(p.cidrsV6)).toEqual(['2001:db8::/64']);
      expect(p?.cidrsV4).toEqual([]);
    },
  },
  {
    desc: 'IPv6 range summarised with bigint arithmetic',
    resources: { ipAddressPools: [pool('v6', ['2001:db8::1-2001:db8::ff'])] },
    check: (c) => {
      const p = c.pools.get('v6');
      expect(p && texts(p.cidrs)).toEqual([
        '2001:db8::1/128',
        '2001:db8::2/127',
        '2001:db8::4/126',
        '2001:db8::8/125',
        '2001:db8::10/124',
        '2001:db8::20/123',
        '2001:db8::40/122',
        '2001:db8::80/121',
      ]);
    },
  },
  {
    desc: 'dual-stack pool keeps both families in addresses order',
    resources: { ipAddressPools: [pool('dual', ['fc00::/124', '192.0.2.0/28'])] },
    check: (c) => {
      const p = c.pools.get('dual');
      expect(p && texts(p.cidrs)).toEqual(['fc00::/124', '192.0.2.0/28']);
      expect(p && texts(p.cidrsV4)).toEqual(['192.0.2.0/28']);
      expect(p && texts(p.cidrsV6)).toEqual(['fc00::/124']);
    },
  },
  {
    desc: 'host bits of a CIDR are normalised away',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.4/24'])] },
    check: (c) => {
      expect(c.pools.get('pool1')?.cidrs).toEqual(cidrs('1.2.3.0/24'));
    },
  },
  {
    desc: 'ip address pool with namespace selection',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16'], { serviceAllocation: { priority: 1, namespaces: ['test-ns1'] } }),
        pool('pool2', ['30.0.0.0/8'], {
          serviceAllocation: { priority: 2, namespaceSelectors: [{ matchLabels: { team: 'metallb' } }] },
        }),
        pool('pool3', ['40.0.0.0/8'], {
          serviceAllocation: { priority: 3, namespaceSelectors: [{ matchLabels: { team: 'red' } }] },
        }),
      ],
      namespaces: [namespace('test-ns1'), namespace('test-ns2', { team: 'metallb' })],
    },
    check: (c) => {
      expect(c.pools.get('pool1')?.serviceAllocation).toMatchObject({
        priority: 1,
        namespaces: new Set(['test-ns1']),
      });
      expect(c.pools.get('pool2')?.serviceAllocation).toMatchObject({
        priority: 2,
        namespaces: new Set(['test-ns2']),
      });
      // A selector that matches no namespace restricts the pool to none (see QUIRKS in the report).
      expect(c.pools.get('pool3')?.serviceAllocation).toMatchObject({ priority: 3, namespaces: new Set() });
    },
  },
  {
    desc: 'ip address pool with service selection',
    resources: {
      ipAddressPools: [
        pool('pool1', ['30.0.0.0/8'], {
          serviceAllocation: { priority: 2, serviceSelectors: [{ matchLabels: { team: 'metallb' } }] },
        }),
      ],
    },
    check: (c) => {
      const sa = c.pools.get('pool1')?.serviceAllocation;
      expect(sa?.namespaces).toBeUndefined();
      expect(sa?.serviceSelectors).toEqual([
        { requirements: [{ key: 'team', operator: 'In', values: ['metallb'] }] },
      ]);
    },
  },
  {
    desc: 'ip address pool with namespace and service selection',
    resources: {
      ipAddressPools: [
        pool('pool1', ['30.0.0.0/8'], {
          serviceAllocation: {
            priority: 2,
            namespaces: ['test-ns1'],
            serviceSelectors: [{ matchLabels: { 'testsvc-1': '1' } }],
          },
        }),
        pool('pool2', ['40.0.0.0/8'], {
          serviceAllocation: {
            priority: 3,
            namespaceSelectors: [{ matchLabels: { team: 'metallb' } }],
            serviceSelectors: [{ matchLabels: { 'testsvc-2': '2' } }],
          },
        }),
      ],
      namespaces: [namespace('test-ns1'), namespace('test-ns2', { team: 'metallb' })],
    },
    check: (c) => {
      expect(c.pools.get('pool1')?.serviceAllocation?.namespaces).toEqual(new Set(['test-ns1']));
      expect(c.pools.get('pool2')?.serviceAllocation?.namespaces).toEqual(new Set(['test-ns2']));
      expect(c.pools.get('pool2')?.serviceAllocation?.serviceSelectors).toHaveLength(1);
    },
  },
  {
    desc: 'ip address pool with only priority selects every service',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16'], { autoAssign: false, serviceAllocation: { priority: 1 } }),
      ],
    },
    check: (c) => {
      expect(c.pools.get('pool1')?.serviceAllocation).toEqual({
        priority: 1,
        namespaceSelectors: [],
        serviceSelectors: [EVERYTHING],
      });
    },
  },
  {
    desc: 'namespaces listed and selected are merged',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.0.0.0/24'], {
          serviceAllocation: {
            namespaces: ['a'],
            namespaceSelectors: [{ matchExpressions: [{ key: 'env', operator: 'Exists' }] }],
          },
        }),
      ],
      namespaces: [namespace('a'), namespace('b', { env: 'prod' }), namespace('c')],
    },
    check: (c) => {
      expect(c.pools.get('pool1')?.serviceAllocation?.namespaces).toEqual(new Set(['a', 'b']));
    },
  },
  {
    desc: 'IPv4 and IPv6 CIDRs with the same numeric value do not overlap',
    resources: { ipAddressPools: [pool('v4', ['10.0.0.0/8']), pool('v6', ['::a00:0/104'])] },
    check: (c) => {
      expect(c.pools.size).toBe(2);
    },
  },
  {
    desc: 'adjacent ranges do not overlap',
    resources: {
      ipAddressPools: [pool('a', ['192.0.2.0-192.0.2.99']), pool('b', ['192.0.2.100-192.0.2.255'])],
    },
    check: (c) => {
      expect(c.pools.size).toBe(2);
    },
  },
];

describe('pools: valid configurations', () => {
  test.each(okCases)('$desc', ({ resources, check }) => {
    check(buildOk(resources));
  });
});

interface ErrorCase {
  desc: string;
  resources: ClusterResources;
  errors: ExpectedError[];
}

const P = 'IPAddressPool' as const;
const errorCases: ErrorCase[] = [
  {
    desc: 'no pool name',
    resources: {
      ipAddressPools: [{ metadata: { namespace: 'metallb-system' }, spec: { addresses: ['10.0.0.0/24'] } }],
    },
    errors: [{ kind: P, name: '', field: 'metadata.name', reason: 'missing pool name' }],
  },
  {
    desc: 'address pool with no address',
    resources: { ipAddressPools: [pool('pool1', [])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses', reason: 'pool has no addresses defined' }],
  },
  {
    desc: 'address pool with no spec: the empty spec has no addresses (schema)',
    resources: { ipAddressPools: [{ metadata: { name: 'pool1', namespace: 'metallb-system' } }] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses', reason: /expected array/ }],
  },
  {
    desc: 'address that is not a string is rejected by the schema',
    resources: { ipAddressPools: [pool('pool1', [42 as unknown as string])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: /expected string/ }],
  },
  {
    desc: 'invalid pool CIDR',
    resources: { ipAddressPools: [pool('pool1', ['100.200.300.400/24'])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'invalid CIDR' }],
  },
  {
    desc: 'invalid pool CIDR prefix length',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.0/33'])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'invalid CIDR' }],
  },
  {
    desc: 'invalid IPv6 prefix length',
    resources: { ipAddressPools: [pool('pool1', ['2001:db8::/129'])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'invalid CIDR' }],
  },
  {
    desc: 'a bare address without prefix length is not a CIDR',
    resources: { ipAddressPools: [pool('pool1', ['192.0.2.1'])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'invalid CIDR' }],
  },
  {
    desc: 'invalid pool CIDR, first address of the range is after the second',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.10-1.2.3.1'])] },
    errors: [{ kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'range start is after its end' }],
  },
  {
    desc: 'range with an invalid start IP',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.300-1.2.3.4'])] },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.addresses[0]',
        reason: 'invalid range: invalid start IP "1.2.3.300"',
      },
    ],
  },
  {
    desc: 'range with an invalid end IP',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.1-foo'])] },
    errors: [
      { kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'invalid range: invalid end IP "foo"' },
    ],
  },
  {
    desc: 'range mixing families',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.1-2001:db8::1'])] },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.addresses[0]',
        reason: 'invalid range: start and end are of different IP families',
      },
    ],
  },
  {
    desc: 'range with two dashes',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.1-1.2.3.2-1.2.3.3'])] },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.addresses[0]',
        reason: 'invalid range: expected exactly one "-"',
      },
    ],
  },
  {
    desc: 'duplicate pool definition (and every other error of the same objects)',
    resources: {
      ipAddressPools: [pool('pool1', []), pool('pool2', []), pool('pool1', [], {}, { namespace: 'other' })],
    },
    errors: [
      { kind: P, name: 'pool1', field: 'spec.addresses', reason: 'pool has no addresses defined' },
      { kind: P, name: 'pool2', field: 'spec.addresses', reason: 'pool has no addresses defined' },
      { kind: P, name: 'pool1', field: 'spec.addresses', reason: 'pool has no addresses defined' },
      {
        kind: P,
        name: 'pool1',
        field: 'metadata.name',
        reason: 'duplicate definition of pool, already defined by IPAddressPool metallb-system/pool1',
      },
    ],
  },
  {
    desc: 'duplicate CIDRs with a leading space are invalid CIDRs (as upstream: only ranges are trimmed)',
    resources: { ipAddressPools: [pool('pool1', [' 10.0.0.0/8']), pool('pool2', [' 10.0.0.0/8'])] },
    errors: [
      { kind: P, name: 'pool1', field: 'spec.addresses[0]', reason: 'invalid CIDR' },
      { kind: P, name: 'pool2', field: 'spec.addresses[0]', reason: 'invalid CIDR' },
    ],
  },
  {
    desc: 'duplicate CIDRs',
    resources: { ipAddressPools: [pool('pool1', ['10.0.0.0/8']), pool('pool2', ['10.0.0.0/8'])] },
    errors: [
      {
        kind: P,
        name: 'pool2',
        field: 'spec.addresses[0]',
        reason: /^CIDR 10\.0\.0\.0\/8 overlaps with already defined CIDR 10\.0\.0\.0\/8 .*pool "pool1"/,
      },
    ],
  },
  {
    desc: 'overlapping CIDRs',
    resources: { ipAddressPools: [pool('pool2', ['10.0.0.0/16']), pool('pool1', ['10.0.0.0/8'])] },
    errors: [
      {
        kind: P,
        name: 'pool2',
        field: 'spec.addresses[0]',
        reason: /^CIDR 10\.0\.0\.0\/16 overlaps with already defined CIDR 10\.0\.0\.0\/8/,
      },
    ],
  },
  {
    desc: 'overlapping CIDRs inside one pool',
    resources: { ipAddressPools: [pool('pool1', ['10.0.0.0/24', '10.0.0.128/25'])] },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.addresses[1]',
        reason: /overlaps with already defined CIDR 10\.0\.0\.0\/24 \("10\.0\.0\.0\/24" in this pool\)/,
      },
    ],
  },
  {
    desc: 'a range overlapping a CIDR of another pool is reported once per entry',
    resources: { ipAddressPools: [pool('a', ['192.0.2.0/24']), pool('b', ['192.0.2.10-192.0.2.200'])] },
    errors: [
      {
        kind: P,
        name: 'b',
        field: 'spec.addresses[0]',
        reason: /overlaps with already defined CIDR 192\.0\.2\.0\/24/,
      },
    ],
  },
  {
    desc: 'IPv6 overlap',
    resources: { ipAddressPools: [pool('a', ['2001:db8::/64']), pool('b', ['2001:db8::1-2001:db8::5'])] },
    errors: [
      {
        kind: P,
        name: 'b',
        field: 'spec.addresses[0]',
        reason: /overlaps with already defined CIDR 2001:db8::\/64/,
      },
    ],
  },
  {
    desc: 'a pool with an invalid entry still takes part in the overlap check',
    resources: { ipAddressPools: [pool('a', ['192.0.2.0/28', 'bogus']), pool('b', ['192.0.2.8/29'])] },
    errors: [
      { kind: P, name: 'a', field: 'spec.addresses[1]', reason: 'invalid CIDR' },
      {
        kind: P,
        name: 'b',
        field: 'spec.addresses[0]',
        reason: /overlaps with already defined CIDR 192\.0\.2\.0\/28/,
      },
    ],
  },
  {
    desc: 'ip address pool with duplicate namespace selection',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16'], {
          serviceAllocation: { priority: 1, namespaces: ['test-ns1', 'test-ns1'] },
        }),
      ],
    },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.serviceAllocation.namespaces[1]',
        reason: 'duplicate definition in namespaces field',
      },
    ],
  },
  {
    desc: 'ip address pool with duplicate namespace selectors',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16'], {
          serviceAllocation: {
            namespaceSelectors: [{ matchLabels: { foo: 'bar' } }, { matchLabels: { foo: 'bar' } }],
          },
        }),
      ],
    },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.serviceAllocation.namespaceSelectors[1]',
        reason: 'duplicate selector, same as spec.serviceAllocation.namespaceSelectors[0]',
      },
    ],
  },
  {
    desc: 'ip address pool with duplicate service selection (duplicate expression values)',
    resources: {
      ipAddressPools: [
        pool('pool1', ['30.0.0.0/8'], {
          serviceAllocation: {
            serviceSelectors: [
              { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'bar'] }] },
            ],
          },
        }),
      ],
    },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values',
        reason: 'duplicate value in match expression',
      },
    ],
  },
  {
    desc: 'ip address pool with an invalid namespace selector operator',
    resources: {
      ipAddressPools: [
        pool('pool1', ['30.0.0.0/8'], {
          serviceAllocation: {
            namespaceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Near', values: ['x'] }] }],
          },
        }),
      ],
    },
    errors: [
      {
        kind: P,
        name: 'pool1',
        field: 'spec.serviceAllocation.namespaceSelectors[0]',
        reason: '"Near" is not a valid label selector operator',
      },
    ],
  },
  {
    desc: 'every error of every pool is reported at once',
    resources: { ipAddressPools: [pool('a', ['bad', '1.2.3.9-1.2.3.1']), pool('b', ['10.0.0.0/33'])] },
    errors: [
      { kind: P, name: 'a', field: 'spec.addresses[0]', reason: 'invalid CIDR' },
      { kind: P, name: 'a', field: 'spec.addresses[1]', reason: 'range start is after its end' },
      { kind: P, name: 'b', field: 'spec.addresses[0]', reason: 'invalid CIDR' },
    ],
  },
];

describe('pools: rejected configurations', () => {
  test.each(errorCases)('$desc', ({ resources, errors }) => {
    expectErrors(resources, errors);
  });

  test('the message names the object, the field, the value and the reason', () => {
    const result = buildOkOrErrors({
      ipAddressPools: [pool('web', ['192.0.2.0/28', '192.0.2.10-192.0.2.5'])],
    });
    expect(result).toEqual([
      'IPAddressPool metallb-system/web: spec.addresses[1] "192.0.2.10-192.0.2.5": range start is after its end',
    ]);
  });
});

function buildOkOrErrors(resources: ClusterResources): string[] {
  try {
    buildOk(resources);
    return [];
  } catch (err) {
    return String((err as Error).message)
      .split('\n')
      .slice(1);
  }
}
