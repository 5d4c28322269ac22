// allocateAdditionalFamily: upstream AllocateFromPoolForAdditionalFamily, used for PreferDualStack.
import { Allocator } from './allocator';
import { ip, pool, shown, svc } from '../../testkit/allocatorfixtures';

describe('allocateAdditionalFamily', () => {
  it('adds the lowest free address of the other family from the same pool, keeping the current first', () => {
    const a = new Allocator();
    a.setPools([pool('dual', ['192.0.2.0/30', '2001:db8::/126'])]);
    expect(a.assign(svc('ns/s'), [ip('192.0.2.1')]).ok).toBe(true);
    expect(shown(a.allocateAdditionalFamily(svc('ns/s'), ip('192.0.2.1'), 'dual'))).toBe(
      '192.0.2.1,2001:db8::',
    );
    expect(a.allocation('ns/s')?.ips.length).toBe(2);
  });

  it('fails without touching the allocation when the pool has no address of the other family', () => {
    const a = new Allocator();
    a.setPools([pool('v4', ['192.0.2.0/30'])]);
    a.assign(svc('ns/s'), [ip('192.0.2.1')]);
    expect(shown(a.allocateAdditionalFamily(svc('ns/s'), ip('192.0.2.1'), 'v4'))).toBe(
      'error: no available IPv6 addresses in pool "v4"',
    );
    expect(a.allocation('ns/s')?.ips.length).toBe(1);
  });

  it('fails for an unknown pool', () => {
    const a = new Allocator();
    expect(a.allocateAdditionalFamily(svc('ns/s'), ip('192.0.2.1'), 'nope').ok).toBe(false);
  });
});
