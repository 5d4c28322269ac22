import { service } from '../testkit/servicefixtures';
import { ingressIPs, isHandledClass } from './service';

describe('isHandledClass (upstream TestLBClass)', () => {
  it.each([
    ['no flag, no class', '', undefined, true],
    ['no flag, a class', '', 'other', false],
    ['flag, same class', 'ironlb', 'ironlb', true],
    ['flag, other class', 'ironlb', 'other', false],
    ['flag, no class', 'ironlb', undefined, false],
  ])('%s', (_name, flag, cls, handled) => {
    const shape = cls === undefined ? {} : { loadBalancerClass: cls };
    expect(isHandledClass(service(shape), flag)).toBe(handled);
  });
});

describe('ingressIPs', () => {
  it('keeps the written order and skips hostname-only entries', () => {
    const svc = service({
      ingress: [{ ip: '2001:db8::1' }, { hostname: 'lb.example' }, { ip: '192.0.2.1' }],
    });
    expect(ingressIPs(svc)).toEqual(['2001:db8::1', '192.0.2.1']);
  });
});
