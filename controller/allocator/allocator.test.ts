import { Allocator } from './allocator';
import { DUAL_PREFERRED, DUAL_REQUIRED, V4, V6, ip, pool, shown, svc } from '../../testkit/allocatorfixtures';

describe('Allocator.allocate', () => {
  it('hands out the four addresses of two /31 pools, then fails, then shares (upstream TestAllocation)', () => {
    const a = new Allocator();
    a.setPools([pool('p1', ['1.2.3.4/31']), pool('p2', ['1.2.3.10/31'])]);
    const got = ['s1', 's2', 's3', 's4'].map((s) => shown(a.allocate(svc(`ns/${s}`), V4)));
    expect(got.sort()).toEqual(['1.2.3.10', '1.2.3.11', '1.2.3.4', '1.2.3.5']);
    expect(shown(a.allocate(svc('ns/s5'), V4))).toBe('error: no available IPs');
    // s6 can only get an address by sharing it with a Service that allows sharing.
    const b = new Allocator();
    b.setPools([pool('p1', ['1.2.3.4/32'])]);
    expect(
      shown(b.allocate(svc('ns/a', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 80 }] }), V4)),
    ).toBe('1.2.3.4');
    expect(
      shown(b.allocate(svc('ns/b', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 443 }] }), V4)),
    ).toBe('1.2.3.4');
    expect(
      shown(b.allocate(svc('ns/c', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 443 }] }), V4)),
    ).toBe('error: no available IPs');
  });

  it('takes the lowest free address in addresses order, reusing released ones first', () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.10-192.0.2.12', '192.0.2.1/32'])]);
    expect(['a', 'b', 'c', 'd'].map((s) => shown(a.allocate(svc(`ns/${s}`), V4)))).toEqual([
      '192.0.2.10',
      '192.0.2.11',
      '192.0.2.12',
      '192.0.2.1',
    ]);
    a.unassign('ns/b');
    expect(shown(a.allocate(svc('ns/e'), V4))).toBe('192.0.2.11');
  });

  it('never uses .0 or .255 when avoidBuggyIPs is set (upstream TestBuggyIPs)', () => {
    const a = new Allocator();
    a.setPools([pool('p1', ['1.2.4.0/31', '1.2.4.254/31'], { avoidBuggyIPs: true })]);
    const got = ['a', 'b', 'c'].map((s) => shown(a.allocate(svc(`ns/${s}`), V4)));
    expect(got).toEqual(['1.2.4.1', '1.2.4.254', 'error: no available IPs']);
  });

  it('never auto-assigns from a pool with autoAssign false (upstream TestAutoAssign)', () => {
    const a = new Allocator();
    a.setPools([pool('manual', ['192.0.2.0/30'], { autoAssign: false }), pool('auto', ['198.51.100.1/32'])]);
    expect(shown(a.allocate(svc('ns/a'), V4))).toBe('198.51.100.1');
    expect(shown(a.allocate(svc('ns/b'), V4))).toBe('error: no available IPs');
    expect(shown(a.allocateFromPool(svc('ns/b'), V4, 'manual'))).toBe('192.0.2.0');
  });

  it('is idempotent for a Service that already has an address', () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.0/29'])]);
    const first = shown(a.allocate(svc('ns/a'), V4));
    expect(shown(a.allocate(svc('ns/a'), V4))).toBe(first);
    expect(a.counts('p')?.assignedIPv4).toBe(1n);
  });

  it('prefers pinned pools by priority, 0 last, ties by name, then the open pools by name', () => {
    const a = new Allocator();
    const everyone = { namespaces: undefined, serviceSelectors: [] };
    a.setPools([
      pool('zz-open', ['203.0.113.1/32']),
      pool('aa-open', ['203.0.113.2/32']),
      pool('prio0', ['192.0.2.1/32'], { serviceAllocation: { priority: 0, ...everyone } }),
      pool('prio5', ['192.0.2.5/32'], { serviceAllocation: { priority: 5, ...everyone } }),
      pool('prio1', ['192.0.2.9/32'], {
        serviceAllocation: { priority: 1, namespaces: new Set(['ns']), serviceSelectors: [] },
      }),
      pool('other-ns', ['192.0.2.20/32'], {
        serviceAllocation: { priority: 1, namespaces: new Set(['other']), serviceSelectors: [] },
      }),
    ]);
    const order = ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => shown(a.allocate(svc(`ns/${s}`), V4)));
    expect(order).toEqual([
      '192.0.2.9',
      '192.0.2.5',
      '192.0.2.1',
      '203.0.113.2',
      '203.0.113.1',
      'error: no available IPs',
    ]);
  });

  it('matches pinned pools by service selector', () => {
    const a = new Allocator();
    a.setPools([
      pool('web', ['192.0.2.1/32'], {
        serviceAllocation: { priority: 0, serviceSelectors: [(labels) => labels['app'] === 'web'] },
      }),
      pool('open', ['198.51.100.1/32']),
    ]);
    expect(shown(a.allocate(svc('ns/db', { labels: { app: 'db' } }), V4))).toBe('198.51.100.1');
    expect(shown(a.allocate(svc('ns/web', { labels: { app: 'web' } }), V4))).toBe('192.0.2.1');
  });

  it('allocates IPv6 without enumerating a /64', () => {
    const a = new Allocator();
    a.setPools([pool('v6', ['2001:db8::/64'])]);
    expect(shown(a.allocate(svc('ns/a'), V6))).toBe('2001:db8::');
    expect(shown(a.allocate(svc('ns/b'), V6))).toBe('2001:db8::1');
    expect(a.counts('v6')?.availableIPv6).toBe((1n << 63n) - 1n);
  });
});

describe('dual-stack', () => {
  it('RequireDualStack takes one address of each family from one pool', () => {
    const a = new Allocator();
    a.setPools([pool('v4only', ['192.0.2.1/32']), pool('dual', ['198.51.100.1/32', '2001:db8::1/128'])]);
    expect(shown(a.allocate(svc('ns/a'), DUAL_REQUIRED))).toBe('198.51.100.1,2001:db8::1');
    expect(shown(a.allocate(svc('ns/b'), DUAL_REQUIRED))).toBe('error: no available IPs');
  });

  it('puts the IPv4 address first even when IPv6 is the primary family (upstream selectIPsForFamilyAndPolicy)', () => {
    const a = new Allocator();
    a.setPools([pool('dual', ['198.51.100.0/31', '2001:db8::/127'])]);
    expect(shown(a.allocate(svc('ns/a'), { families: [6, 4], policy: 'RequireDualStack' }))).toBe(
      '198.51.100.0,2001:db8::',
    );
    expect(shown(a.allocate(svc('ns/b'), { families: [6, 4], policy: 'PreferDualStack' }))).toBe(
      '198.51.100.1,2001:db8::1',
    );
    a.unassign('ns/a');
    expect(
      shown(a.allocateFromPool(svc('ns/c'), { families: [6, 4], policy: 'RequireDualStack' }, 'dual')),
    ).toBe('198.51.100.0,2001:db8::');
  });

  it('PreferDualStack prefers a dual pool, else the primary family', () => {
    const a = new Allocator();
    a.setPools([
      pool('a-v6', ['2001:db8::1/128']),
      pool('b-v4', ['192.0.2.1/32']),
      pool('c-dual', ['198.51.100.1/32', '2001:db8:1::1/128']),
    ]);
    expect(shown(a.allocate(svc('ns/a'), DUAL_PREFERRED))).toBe('198.51.100.1,2001:db8:1::1');
    expect(shown(a.allocate(svc('ns/b'), DUAL_PREFERRED))).toBe('192.0.2.1');
    expect(shown(a.allocate(svc('ns/c'), DUAL_PREFERRED))).toBe('2001:db8::1');
  });
});

describe('Allocator.assign (requested addresses)', () => {
  it('needs no autoAssign but needs a pool that owns the address', () => {
    const a = new Allocator();
    a.setPools([pool('manual', ['192.0.2.0/30'], { autoAssign: false })]);
    expect(shown(a.assign(svc('ns/a'), [ip('192.0.2.2')]))).toBe('192.0.2.2');
    expect(shown(a.assign(svc('ns/b'), [ip('203.0.113.9')]))).toBe(
      'error: "203.0.113.9" is not allowed in config',
    );
  });

  it('refuses two addresses of one family, or three', () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.0/30', '2001:db8::/126'])]);
    expect(shown(a.assign(svc('ns/a'), [ip('192.0.2.1'), ip('192.0.2.2')]))).toContain('same family');
    expect(shown(a.assign(svc('ns/a'), [ip('192.0.2.1'), ip('2001:db8::1'), ip('192.0.2.2')]))).toContain(
      'not 3',
    );
    expect(shown(a.assign(svc('ns/a'), [ip('192.0.2.1'), ip('2001:db8::1')]))).toBe('192.0.2.1,2001:db8::1');
  });

  it('refuses addresses split across two pools', () => {
    const a = new Allocator();
    a.setPools([pool('v4', ['192.0.2.0/30']), pool('v6', ['2001:db8::/126'])]);
    expect(shown(a.assign(svc('ns/a'), [ip('192.0.2.1'), ip('2001:db8::1')]))).toContain(
      'is not allowed in config',
    );
  });

  it('refuses an incompatible namespace even for a requested address', () => {
    const a = new Allocator();
    a.setPools([
      pool('team', ['192.0.2.0/30'], {
        serviceAllocation: { priority: 0, namespaces: new Set(['team']), serviceSelectors: [] },
      }),
    ]);
    expect(shown(a.assign(svc('other/a'), [ip('192.0.2.1')]))).toBe(
      'error: pool team not compatible for ip assignment',
    );
    expect(shown(a.assign(svc('team/a'), [ip('192.0.2.1')]))).toBe('192.0.2.1');
  });

  it('does not treat .0 as part of an avoidBuggyIPs pool', () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })]);
    expect(shown(a.assign(svc('ns/a'), [ip('192.0.2.0')]))).toContain('is not allowed in config');
  });
});

describe('sharing (upstream allocator.go checkSharing)', () => {
  const tcp = (port: number) => ({ protocol: 'TCP', port });
  const setup = () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.0/30'])]);
    expect(shown(a.assign(svc('ns/a', { sharingKey: 'k', ports: [tcp(80)] }), [ip('192.0.2.1')]))).toBe(
      '192.0.2.1',
    );
    return a;
  };

  it.each([
    ['no key on the new Service', { sharingKey: '', ports: [tcp(81)] }, 'new service does not allow sharing'],
    [
      'another key',
      { sharingKey: 'other', ports: [tcp(81)] },
      'sharing key "other" does not match existing sharing key "k"',
    ],
    [
      'another backend',
      { sharingKey: 'k', backendKey: 'app=x', ports: [tcp(81)] },
      'backend key "app=x" does not match',
    ],
    ['the same port', { sharingKey: 'k', ports: [tcp(80)] }, 'port TCP/80 is already in use on "192.0.2.1"'],
  ])('refuses %s', (_what, claim, message) => {
    const a = setup();
    expect(shown(a.assign(svc('ns/b', claim), [ip('192.0.2.1')]))).toContain(message);
  });

  it('lets TCP and UDP on one port share', () => {
    const a = setup();
    expect(
      shown(
        a.assign(svc('ns/b', { sharingKey: 'k', ports: [{ protocol: 'UDP', port: 80 }] }), [ip('192.0.2.1')]),
      ),
    ).toBe('192.0.2.1');
  });

  it('refuses to join an address whose user does not share', () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.0/30'])]);
    a.assign(svc('ns/a'), [ip('192.0.2.1')]);
    expect(shown(a.assign(svc('ns/b', { sharingKey: 'k' }), [ip('192.0.2.1')]))).toContain(
      'existing service does not allow sharing',
    );
  });

  it('lets the sole user change its key, but not a user among others', () => {
    const a = setup();
    expect(shown(a.assign(svc('ns/a', { sharingKey: 'new', ports: [tcp(80)] }), [ip('192.0.2.1')]))).toBe(
      '192.0.2.1',
    );
    a.assign(svc('ns/b', { sharingKey: 'new', ports: [tcp(81)] }), [ip('192.0.2.1')]);
    expect(
      shown(a.assign(svc('ns/a', { sharingKey: 'newer', ports: [tcp(80)] }), [ip('192.0.2.1')])),
    ).toContain(`can't change sharing key for "ns/a", address also in use by ns/b`);
  });

  it('keeps the address in use until its last Service is gone', () => {
    const a = setup();
    a.assign(svc('ns/b', { sharingKey: 'k', ports: [tcp(81)] }), [ip('192.0.2.1')]);
    a.unassign('ns/a');
    expect(a.counts('p')?.assignedIPv4).toBe(1n);
    a.unassign('ns/b');
    expect(a.counts('p')?.assignedIPv4).toBe(0n);
    expect(shown(a.allocate(svc('ns/c'), V4))).toBe('192.0.2.0');
  });
});

describe('setPools (upstream Allocator.SetPools)', () => {
  it('keeps addresses across a rename and a split, drops those no pool owns', () => {
    const a = new Allocator();
    a.setPools([pool('old', ['192.0.2.0/29'])]);
    a.assign(svc('ns/a'), [ip('192.0.2.1')]);
    a.assign(svc('ns/b'), [ip('192.0.2.6')]);
    expect(a.setPools([pool('new-low', ['192.0.2.0/30']), pool('new-high', ['192.0.2.4/31'])])).toEqual([
      'ns/b',
    ]);
    expect(a.allocation('ns/a')?.pool).toBe('new-low');
    expect(a.allocation('ns/b')).toBeUndefined();
    expect(a.counts('new-low')?.assignedIPv4).toBe(1n);
  });

  it('drops an allocation on .0 when avoidBuggyIPs is turned on', () => {
    const a = new Allocator();
    a.setPools([pool('p', ['192.0.2.0/24'])]);
    a.assign(svc('ns/a'), [ip('192.0.2.0')]);
    expect(a.setPools([pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })])).toEqual(['ns/a']);
  });

  it('is a no-op for the same pools', () => {
    const a = new Allocator();
    const pools = [pool('p', ['192.0.2.0/29'])];
    a.setPools(pools);
    a.allocate(svc('ns/a'), V4);
    expect(a.setPools(pools)).toEqual([]);
    expect(shown(a.allocate(svc('ns/b'), V4))).toBe('192.0.2.1');
  });
});

describe('pool counts (upstream TestPoolCount)', () => {
  it.each([
    [['192.0.2.0/24'], false, 256n],
    [['192.0.2.0/24', '198.51.100.0/25'], false, 384n],
    [['192.0.2.0/24', '198.51.100.0/25'], true, 381n],
    [['192.0.2.0/31'], true, 1n],
  ])('%j avoidBuggyIPs=%s has %s IPv4 addresses', (entries, avoidBuggyIPs, total) => {
    const a = new Allocator();
    a.setPools([pool('p', entries, { avoidBuggyIPs })]);
    expect(a.counts('p')?.availableIPv4).toBe(total);
  });
});
