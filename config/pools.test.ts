import {
  ExpectedError,
  buildOk,
  expectBuild,
  expectedConfig,
  expectedPool,
  expectedServiceAllocation,
  expectErrors,
  labelExists,
  labelIs,
  namespace,
  pool,
  selector,
} from '../testkit/configfixtures';
import { ClusterResources } from './resources';
import { Config } from './types';

interface OkCase {
  desc: string;
  resources: ClusterResources;
  /** The whole configuration the build must return. */
  config: Config;
}

const okCases: OkCase[] = [
  {
    desc: 'empty config',
    resources: {},
    config: expectedConfig({}),
  },
  {
    desc: 'pool with CIDRs, avoidBuggyIPs and autoAssign false',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16', '10.50.0.0/24'], { avoidBuggyIPs: true, autoAssign: false }),
      ],
    },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.20.0.0/16', '10.50.0.0/24'],
          avoidBuggyIPs: true,
          autoAssign: false,
        }),
      ],
    }),
  },
  {
    desc: 'autoAssign defaults to true and avoidBuggyIPs to false',
    resources: { ipAddressPools: [pool('pool2', ['30.0.0.0/8'])] },
    config: expectedConfig({
      pools: [{ name: 'pool2', addresses: ['30.0.0.0/8'], autoAssign: true, avoidBuggyIPs: false }],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool3',
          addresses: [
            '40.0.0.0/25',
            [
              '40.0.0.150-40.0.0.200',
              ['40.0.0.150/31', '40.0.0.152/29', '40.0.0.160/27', '40.0.0.192/29', '40.0.0.200/32'],
            ],
            [
              '40.0.0.210 - 40.0.0.240',
              ['40.0.0.210/31', '40.0.0.212/30', '40.0.0.216/29', '40.0.0.224/28', '40.0.0.240/32'],
            ],
            ['40.0.0.250 - 40.0.0.250', ['40.0.0.250/32']],
          ],
        }),
      ],
    }),
  },
  {
    desc: 'range 3.3.3.2-3.3.3.254 summarises to 13 CIDRs (aggregation length by range)',
    resources: { ipAddressPools: [pool('pool1', ['3.3.3.2-3.3.3.254'])] },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: [
            [
              '3.3.3.2-3.3.3.254',
              [
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
              ],
            ],
          ],
        }),
      ],
    }),
  },
  {
    desc: 'IPv6 pool',
    resources: { ipAddressPools: [pool('pool4', ['2001:db8::/64'])] },
    config: expectedConfig({ pools: [expectedPool({ name: 'pool4', addresses: ['2001:db8::/64'] })] }),
  },
  {
    desc: 'IPv6 range summarised with bigint arithmetic',
    resources: { ipAddressPools: [pool('v6', ['2001:db8::1-2001:db8::ff'])] },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'v6',
          addresses: [
            [
              '2001:db8::1-2001:db8::ff',
              [
                '2001:db8::1/128',
                '2001:db8::2/127',
                '2001:db8::4/126',
                '2001:db8::8/125',
                '2001:db8::10/124',
                '2001:db8::20/123',
                '2001:db8::40/122',
                '2001:db8::80/121',
              ],
            ],
          ],
        }),
      ],
    }),
  },
  {
    desc: 'dual-stack pool keeps both families in addresses order',
    resources: { ipAddressPools: [pool('dual', ['fc00::/124', '192.0.2.0/28'])] },
    config: expectedConfig({
      pools: [expectedPool({ name: 'dual', addresses: ['fc00::/124', '192.0.2.0/28'] })],
    }),
  },
  {
    desc: 'host bits of a CIDR are normalised away',
    resources: { ipAddressPools: [pool('pool1', ['1.2.3.4/24'])] },
    config: expectedConfig({
      pools: [expectedPool({ name: 'pool1', addresses: [['1.2.3.4/24', ['1.2.3.0/24']]] })],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.20.0.0/16'],
          serviceAllocation: expectedServiceAllocation({ priority: 1, namespaces: ['test-ns1'] }),
        }),
        expectedPool({
          name: 'pool2',
          addresses: ['30.0.0.0/8'],
          serviceAllocation: expectedServiceAllocation({
            priority: 2,
            namespaces: ['test-ns2'],
            namespaceSelectors: [selector(labelIs('team', 'metallb'))],
          }),
        }),
        // A selector that matches no namespace restricts the pool to none (see QUIRKS in the report).
        expectedPool({
          name: 'pool3',
          addresses: ['40.0.0.0/8'],
          serviceAllocation: expectedServiceAllocation({
            priority: 3,
            namespaces: [],
            namespaceSelectors: [selector(labelIs('team', 'red'))],
          }),
        }),
      ],
    }),
  },
  {
    desc: 'ip address pool with service selection',
    resources: {
      ipAddressPools: [
        pool('pool1', ['30.0.0.0/8'], {
          serviceAllocation: { priority: 2, serviceSelectors: [{ matchLabels: { team: 'metallb' } }] },
        }),
        pool('pool2', ['40.0.0.0/8'], {
          serviceAllocation: { priority: 3, serviceSelectors: [{ matchLabels: { team: 'red' } }] },
        }),
      ],
    },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['30.0.0.0/8'],
          serviceAllocation: expectedServiceAllocation({
            priority: 2,
            serviceSelectors: [selector(labelIs('team', 'metallb'))],
          }),
        }),
        expectedPool({
          name: 'pool2',
          addresses: ['40.0.0.0/8'],
          serviceAllocation: expectedServiceAllocation({
            priority: 3,
            serviceSelectors: [selector(labelIs('team', 'red'))],
          }),
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['30.0.0.0/8'],
          serviceAllocation: expectedServiceAllocation({
            priority: 2,
            namespaces: ['test-ns1'],
            serviceSelectors: [selector(labelIs('testsvc-1', '1'))],
          }),
        }),
        expectedPool({
          name: 'pool2',
          addresses: ['40.0.0.0/8'],
          serviceAllocation: expectedServiceAllocation({
            priority: 3,
            namespaces: ['test-ns2'],
            namespaceSelectors: [selector(labelIs('team', 'metallb'))],
            serviceSelectors: [selector(labelIs('testsvc-2', '2'))],
          }),
        }),
      ],
    }),
  },
  {
    desc: 'ip address pool with only priority selects every service',
    resources: {
      ipAddressPools: [
        pool('pool1', ['10.20.0.0/16', '10.50.0.0/24'], {
          avoidBuggyIPs: true,
          autoAssign: false,
          serviceAllocation: { priority: 1 },
        }),
      ],
    },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.20.0.0/16', '10.50.0.0/24'],
          avoidBuggyIPs: true,
          autoAssign: false,
          // upstream's labels.Everything(): the empty selector
          serviceAllocation: expectedServiceAllocation({ priority: 1, serviceSelectors: [selector()] }),
        }),
      ],
    }),
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
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'pool1',
          addresses: ['10.0.0.0/24'],
          serviceAllocation: expectedServiceAllocation({
            priority: 0,
            namespaces: ['a', 'b'],
            namespaceSelectors: [selector(labelExists('env'))],
          }),
        }),
      ],
    }),
  },
  {
    desc: 'pool labels are kept for advertisement pool selectors',
    resources: {
      ipAddressPools: [pool('pool1', ['10.0.0.0/24'], {}, { labels: { tier: 'gold', zone: 'a' } })],
    },
    config: expectedConfig({
      pools: [
        expectedPool({ name: 'pool1', addresses: ['10.0.0.0/24'], labels: { tier: 'gold', zone: 'a' } }),
      ],
    }),
  },
  {
    desc: 'pools are listed by name whatever order they were defined in',
    resources: { ipAddressPools: [pool('zeta', ['10.0.1.0/24']), pool('alpha', ['10.0.0.0/24'])] },
    config: expectedConfig({
      pools: [
        expectedPool({ name: 'alpha', addresses: ['10.0.0.0/24'] }),
        expectedPool({ name: 'zeta', addresses: ['10.0.1.0/24'] }),
      ],
    }),
  },
  {
    desc: 'IPv4 and IPv6 CIDRs with the same numeric value do not overlap',
    resources: { ipAddressPools: [pool('v4', ['10.0.0.0/8']), pool('v6', ['::a00:0/104'])] },
    config: expectedConfig({
      pools: [
        expectedPool({ name: 'v4', addresses: ['10.0.0.0/8'] }),
        expectedPool({ name: 'v6', addresses: ['::a00:0/104'] }),
      ],
    }),
  },
  {
    desc: 'adjacent ranges do not overlap',
    resources: {
      ipAddressPools: [pool('a', ['192.0.2.0-192.0.2.99']), pool('b', ['192.0.2.100-192.0.2.255'])],
    },
    config: expectedConfig({
      pools: [
        expectedPool({
          name: 'a',
          addresses: [['192.0.2.0-192.0.2.99', ['192.0.2.0/26', '192.0.2.64/27', '192.0.2.96/30']]],
        }),
        expectedPool({
          name: 'b',
          addresses: [
            [
              '192.0.2.100-192.0.2.255',
              ['192.0.2.100/30', '192.0.2.104/29', '192.0.2.112/28', '192.0.2.128/25'],
            ],
          ],
        }),
      ],
    }),
  },
];

describe('pools: valid configurations', () => {
  test.each(okCases)('$desc', ({ resources, config }) => {
    expectBuild(resources, config);
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
