import { ANNOTATION, annotationValue, deprecatedAnnotations } from '../../api/serviceannotations';
import { Decision } from './converge';
import { claimOf, deriveRequest, selectorString } from './request';
import { service } from '../../testkit/servicefixtures';
import { planWrites } from './writes';

describe('annotations', () => {
  it('the new prefix wins even when empty', () => {
    const a = { 'metallb.io/allow-shared-ip': '', 'metallb.universe.tf/allow-shared-ip': 'old' };
    expect(annotationValue(a, ANNOTATION.allowSharedIP)).toBe('');
  });
  it('the old prefix is read when the new one is absent', () => {
    expect(annotationValue({ 'metallb.universe.tf/allow-shared-ip': 'old' }, ANNOTATION.allowSharedIP)).toBe(
      'old',
    );
  });
  it('lists deprecated keys sorted', () => {
    expect(
      deprecatedAnnotations({ 'metallb.universe.tf/b': '', 'x/y': '', 'metallb.universe.tf/a': '' }),
    ).toEqual(['metallb.universe.tf/a', 'metallb.universe.tf/b']);
  });
});

describe('claimOf', () => {
  it('ETP Local uses the selector string as backend key, Cluster uses none', () => {
    expect(claimOf(service({ etp: 'Local', selector: { b: '2', a: '1' } })).backendKey).toBe('a=1,b=2');
    expect(claimOf(service({ etp: 'Cluster', selector: { a: '1' } })).backendKey).toBe('');
  });
  it('ports default to TCP', () => {
    expect(claimOf(service({ ports: [{ port: 53 }, { protocol: 'UDP', port: 53 }] })).ports).toEqual([
      { protocol: 'TCP', port: 53 },
      { protocol: 'UDP', port: 53 },
    ]);
  });
  it('selectorString of nothing is empty', () => {
    expect(selectorString(undefined)).toBe('');
  });
});

describe('deriveRequest', () => {
  it('ipFamilyPolicy defaults to SingleStack', () => {
    expect(deriveRequest(service()).policy).toBe('SingleStack');
  });
  it('families follow clusterIPs, primary first', () => {
    const r = deriveRequest(
      service({ clusterIPs: ['2001:db8::1', '198.51.100.201'], policy: 'PreferDualStack' }),
    );
    expect(r.families).toEqual({ families: [6, 4], policy: 'PreferDualStack' });
    expect(r.clusterFamily).toEqual({ ok: true, value: 'dual' });
  });
  it('falls back to spec.clusterIP when clusterIPs is empty', () => {
    const svc = service({ clusterIPs: [] });
    if (svc.spec) svc.spec.clusterIP = '2001:db8::1';
    expect(deriveRequest(svc).clusterFamily).toEqual({ ok: true, value: 6 });
  });
  it('two requested addresses of different families are dual-stack', () => {
    const r = deriveRequest(
      service({ annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1, 2001:db8::1' } }),
    );
    expect(r.desiredIPs.ok && r.desiredIPs.value?.family).toBe('dual');
  });
  it('an unparsable annotation is an error naming the annotation', () => {
    const r = deriveRequest(service({ annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,x' } }));
    expect(r.desiredIPs).toEqual({ ok: false, reason: 'invalid metallb.io/loadBalancerIPs: "192.0.2.1,x"' });
  });
});

describe('planWrites', () => {
  const decision = (ingress: string[], pool: string | undefined): Decision => ({
    action: 'keep',
    ingress,
    pool,
    events: [],
    reprocessAll: false,
  });

  it('nothing to write when the Service already matches, whatever ipMode the API server added', () => {
    const svc = service({
      ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }],
      annotations: { 'metallb.io/ip-allocated-from-pool': 'p' },
    });
    expect(planWrites(svc, decision(['192.0.2.1'], 'p'))).toEqual({ events: [] });
  });
  it('writes ingress entries with ip only and sets the pool annotation', () => {
    expect(planWrites(service(), decision(['192.0.2.1', '2001:db8::1'], 'p'))).toEqual({
      ingress: [{ ip: '192.0.2.1' }, { ip: '2001:db8::1' }],
      annotations: { 'metallb.io/ip-allocated-from-pool': 'p' },
      events: [],
    });
  });
  it('clearing removes the annotation, including the deprecated form', () => {
    const svc = service({
      ingress: [{ ip: '192.0.2.1' }],
      annotations: {
        'metallb.io/ip-allocated-from-pool': 'p',
        'metallb.universe.tf/ip-allocated-from-pool': 'p',
      },
    });
    const w = planWrites(svc, decision([], undefined));
    expect(w.ingress).toEqual([]);
    expect(w.annotations).toEqual({
      'metallb.io/ip-allocated-from-pool': null,
      'metallb.universe.tf/ip-allocated-from-pool': null,
    });
  });
  it('deprecated annotations raise a warning only when something is written', () => {
    const annotations = { 'metallb.universe.tf/address-pool': 'p' };
    expect(planWrites(service({ annotations }), decision(['192.0.2.1'], 'p')).events).toEqual([
      {
        type: 'Warning',
        reason: 'deprecatedAnnotation',
        message: 'Service uses deprecated annotation metallb.universe.tf/address-pool',
      },
    ]);
    const settled = service({
      ingress: [{ ip: '192.0.2.1' }],
      annotations: { ...annotations, 'metallb.io/ip-allocated-from-pool': 'p' },
    });
    expect(planWrites(settled, decision(['192.0.2.1'], 'p')).events).toEqual([]);
  });
});
