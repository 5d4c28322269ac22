import { buildOk, cidrs, pool } from '../../testkit/configfixtures';
import { toAllocatorPool } from './configpools';

describe('toAllocatorPool', () => {
  test('a pool without serviceAllocation maps field for field', () => {
    const c = buildOk({
      ipAddressPools: [pool('p', ['192.0.2.0/30'], { avoidBuggyIPs: true, autoAssign: false })],
    });
    const p = c.pools.get('p');
    expect(p && toAllocatorPool(p)).toEqual({
      name: 'p',
      cidrs: cidrs('192.0.2.0/30'),
      autoAssign: false,
      avoidBuggyIPs: true,
    });
  });

  test('service selectors become predicates over Service labels', () => {
    const c = buildOk({
      ipAddressPools: [
        pool('p', ['192.0.2.0/30'], {
          serviceAllocation: {
            priority: 5,
            namespaces: ['ns'],
            serviceSelectors: [{ matchLabels: { app: 'web' } }],
          },
        }),
      ],
    });
    const p = c.pools.get('p');
    const a = p && toAllocatorPool(p);
    expect(a?.serviceAllocation?.priority).toBe(5);
    expect(a?.serviceAllocation?.namespaces).toEqual(new Set(['ns']));
    const [matches] = a?.serviceAllocation?.serviceSelectors ?? [];
    expect(matches?.({ app: 'web' })).toBe(true);
    expect(matches?.({ app: 'db' })).toBe(false);
  });
});
