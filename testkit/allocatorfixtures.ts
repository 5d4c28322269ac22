// Builders for allocator tests: pools and Services from short literals.
import { Cidr, parsePoolEntry } from '../addr/cidr';
import { IPAddress, formatIP, parseIP } from '../addr/ip';
import { AllocationResult, AllocatorPool, FamilyRequest, ServiceClaim } from '../controller/allocator/types';

export function cidrsOf(...entries: string[]): Cidr[] {
  return entries.flatMap((e) => {
    const parsed = parsePoolEntry(e);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.cidrs;
  });
}

export function pool(name: string, entries: string[], extra: Partial<AllocatorPool> = {}): AllocatorPool {
  return { name, cidrs: cidrsOf(...entries), autoAssign: true, avoidBuggyIPs: false, ...extra };
}

export function svc(key: string, extra: Partial<ServiceClaim> = {}): ServiceClaim {
  const [namespace = 'default'] = key.split('/');
  return { key, namespace, labels: {}, sharingKey: '', backendKey: '', ports: [], ...extra };
}

export function ip(text: string): IPAddress {
  const parsed = parseIP(text);
  if (!parsed) throw new Error(`bad address ${text}`);
  return parsed;
}

export const V4: FamilyRequest = { families: [4], policy: 'SingleStack' };
export const V6: FamilyRequest = { families: [6], policy: 'SingleStack' };
export const DUAL_REQUIRED: FamilyRequest = { families: [4, 6], policy: 'RequireDualStack' };
export const DUAL_PREFERRED: FamilyRequest = { families: [4, 6], policy: 'PreferDualStack' };

/** The addresses of a result as text, or "error: <message>". */
export function shown(result: AllocationResult): string {
  return result.ok ? result.ips.map(formatIP).join(',') : `error: ${result.error.message}`;
}
