import { AddressLedger, canonicalIP, inScalePool, quantile, sharedAddresses } from './addressledger';
import type { Service } from '../api/service';

const svc = (name: string, ...ips: string[]): Service => ({
  metadata: { name, namespace: 'ns' },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

describe('AddressLedger', () => {
  it('flags an address the moment a second Service holds it, whatever its spelling', () => {
    const ledger = new AddressLedger();
    ledger.observe('ns/a', svc('a', '2001:db8:100::1'));
    ledger.observe('ns/b', svc('b', '2001:db8:100::2'));
    expect(ledger.violations).toEqual([]);
    ledger.observe('ns/b', svc('b', '2001:db8:100:0::0001'));
    expect(ledger.violations).toEqual(['2001:db8:100::1 held by ns/a, ns/b']);
  });

  it('lets an address move on once its holder is deleted or gives it up', () => {
    const ledger = new AddressLedger();
    ledger.observe('ns/a', svc('a', '2001:db8:100::1'));
    ledger.observe('ns/a', undefined);
    ledger.observe('ns/b', svc('b', '2001:db8:100::1'));
    ledger.observe('ns/b', svc('b'));
    ledger.observe('ns/c', svc('c', '2001:db8:100::1'));
    expect(ledger.violations).toEqual([]);
    expect(ledger.counts('ns')).toEqual({ services: 2, addressed: 1 });
  });

  it('ignores Services that are not LoadBalancers', () => {
    const ledger = new AddressLedger();
    ledger.observe('ns/a', svc('a', '2001:db8:100::1'));
    ledger.observe('ns/b', { ...svc('b', '2001:db8:100::1'), spec: { type: 'ClusterIP' } });
    expect(ledger.violations).toEqual([]);
  });

  it('until() resolves on the event that makes its condition true, and times out otherwise', async () => {
    const ledger = new AddressLedger();
    const done = ledger.until('a addressed', () => ledger.counts().addressed === 1, 1_000);
    ledger.observe('ns/a', svc('a', '2001:db8:100::1'));
    await expect(done).resolves.toBeUndefined();
    await expect(ledger.until('never', () => false, 10)).rejects.toThrow('never');
  });
});

describe('scale pool helpers', () => {
  it('sharedAddresses names every Service on a shared address', () => {
    const view = new Map([
      ['ns/a', ['2001:db8:100::1']],
      ['ns/b', ['2001:db8:100::1']],
      ['ns/c', ['2001:db8:100::2']],
    ]);
    expect(sharedAddresses(view)).toEqual(['2001:db8:100::1 on ns/a, ns/b']);
  });

  it('inScalePool covers the CIDRs and the range, and nothing next to them', () => {
    expect(inScalePool('2001:db8:100::fff')).toBe(true);
    expect(inScalePool('2001:db8:100::1000')).toBe(false);
    expect(inScalePool('2001:db8:300::800')).toBe(true);
    expect(inScalePool('2001:db8:300::801')).toBe(false);
    expect(inScalePool('203.0.113.1')).toBe(false);
    expect(canonicalIP('2001:DB8:100:0::1')).toBe('2001:db8:100::1');
  });

  it('quantile is nearest-rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
