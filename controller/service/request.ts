// What a Service asks of the allocator, derived from the object alone: which families, which addresses or
// pool it requests, and what decides whether it may share an address. Mirrors upstream's getDesiredLbIPs,
// ipfamily.ForService, SharingKey and k8salloc.Ports/BackendKey.
import { Family, IPAddress, formatIP, parseIP } from '../../addr/ip';
import { compareText } from '../../config/errors';
import { FamilyRequest, IPFamilyPolicy, ServiceClaim, ServicePort } from '../allocator/types';
import { ANNOTATION, PREFIX, annotationValue } from '../../api/serviceannotations';
import { Service, serviceKey } from '../../api/service';

/** A Service's address family as upstream's ipfamily package names it. */
export type ServiceFamily = Family | 'dual';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface DesiredIPs {
  readonly ips: readonly IPAddress[];
  readonly family: ServiceFamily;
}

export interface ServiceRequest {
  readonly key: string;
  readonly claim: ServiceClaim;
  readonly policy: IPFamilyPolicy;
  /** spec.clusterIPs as given (RequireDualStack needs two). */
  readonly clusterIPs: readonly string[];
  readonly hasClusterIP: boolean;
  readonly clusterFamily: Parsed<ServiceFamily>;
  /** The families to allocate, primary first; undefined when the cluster IPs cannot be parsed. */
  readonly families: FamilyRequest | undefined;
  /** metallb.io/loadBalancerIPs or spec.loadBalancerIP; value undefined when neither is set. */
  readonly desiredIPs: Parsed<DesiredIPs | undefined>;
  /** metallb.io/address-pool; '' when not set. */
  readonly desiredPool: string;
}

const POLICIES: readonly IPFamilyPolicy[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

/** ipfamily.ForAddressesIPs: one address, or two of different families. */
export function familyOf(ips: readonly IPAddress[]): Parsed<ServiceFamily> {
  const [first, second] = ips;
  if (ips.length === 1 && first) return { ok: true, value: first.family };
  if (ips.length === 2 && first && second) {
    if (first.family === second.family) {
      return { ok: false, reason: `same address family ${JSON.stringify(ips.map(formatIP))}` };
    }
    return { ok: true, value: 'dual' };
  }
  return { ok: false, reason: `invalid ips length ${ips.length}` };
}

function familyOfText(addresses: readonly string[]): Parsed<ServiceFamily> {
  const ips: IPAddress[] = [];
  for (const text of addresses) {
    const ip = parseIP(text);
    if (!ip) return { ok: false, reason: `invalid address ${JSON.stringify(text)}` };
    ips.push(ip);
  }
  return familyOf(ips);
}

/** getDesiredLbIPs: the annotation (comma separated, spaces trimmed) or spec.loadBalancerIP, never both. */
export function desiredIPsOf(svc: Service): Parsed<DesiredIPs | undefined> {
  const annotation = annotationValue(svc.metadata.annotations, ANNOTATION.loadBalancerIPs);
  const specIP = svc.spec?.loadBalancerIP ?? '';
  if (annotation === '' && specIP === '') return { ok: true, value: undefined };
  if (annotation !== '' && specIP !== '') {
    return {
      ok: false,
      reason: `service can not have both ${PREFIX}${ANNOTATION.loadBalancerIPs} and svc.Spec.LoadBalancerIP`,
    };
  }
  if (annotation !== '') {
    const ips: IPAddress[] = [];
    for (const part of annotation.split(',')) {
      const ip = parseIP(part.trim());
      if (!ip) {
        return {
          ok: false,
          reason: `invalid ${PREFIX}${ANNOTATION.loadBalancerIPs}: ${JSON.stringify(annotation)}`,
        };
      }
      ips.push(ip);
    }
    const family = familyOf(ips);
    if (!family.ok) return family;
    return { ok: true, value: { ips, family: family.value } };
  }
  const ip = parseIP(specIP);
  if (!ip) return { ok: false, reason: `invalid spec.loadBalancerIP ${JSON.stringify(specIP)}` };
  return { ok: true, value: { ips: [ip], family: ip.family } };
}

/** labels.Set(selector).String(): sorted key=value pairs joined by commas. */
export function selectorString(selector: Readonly<Record<string, string>> | null | undefined): string {
  return Object.keys(selector ?? {})
    .sort(compareText)
    .map((k) => `${k}=${selector?.[k] ?? ''}`)
    .join(',');
}

export function portsOf(svc: Service): ServicePort[] {
  return (svc.spec?.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
}

export function claimOf(svc: Service): ServiceClaim {
  const spec = svc.spec;
  return {
    key: serviceKey(svc),
    namespace: svc.metadata.namespace ?? '',
    labels: svc.metadata.labels ?? {},
    sharingKey: annotationValue(svc.metadata.annotations, ANNOTATION.allowSharedIP),
    backendKey: spec?.externalTrafficPolicy === 'Local' ? selectorString(spec.selector) : '',
    ports: portsOf(svc),
  };
}

export function policyOf(svc: Service): IPFamilyPolicy {
  const given = svc.spec?.ipFamilyPolicy;
  return POLICIES.find((p) => p === given) ?? 'SingleStack';
}

export function deriveRequest(svc: Service): ServiceRequest {
  const spec = svc.spec;
  const clusterIPs = spec?.clusterIPs ?? [];
  const clusterIP = spec?.clusterIP ?? '';
  const policy = policyOf(svc);
  // ipfamily.ForService: clusterIPs, or clusterIP when clusterIPs is empty.
  const addresses = clusterIPs.length > 0 ? clusterIPs : [clusterIP];
  const clusterFamily = familyOfText(addresses);
  let families: FamilyRequest | undefined;
  if (clusterFamily.ok) {
    const parsed = addresses.map(parseIP).flatMap((ip) => (ip ? [ip.family] : []));
    families = { families: parsed, policy };
  }
  return {
    key: serviceKey(svc),
    claim: claimOf(svc),
    policy,
    clusterIPs,
    hasClusterIP: clusterIPs.length > 0 || clusterIP !== '',
    clusterFamily,
    families,
    desiredIPs: desiredIPsOf(svc),
    desiredPool: annotationValue(svc.metadata.annotations, ANNOTATION.addressPool),
  };
}
