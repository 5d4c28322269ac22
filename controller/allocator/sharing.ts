// MetalLB's rules for two Services on one address (upstream internal/allocator/allocator.go checkSharing, sharingOK): the same non-empty sharing key,
// the same backend key, and no common (protocol, port).
import { formatIP, IPAddress } from '../../addr/ip';
import { compareText } from '../../config/errors';
import { AllocationError, ServiceClaim, ServicePort } from './types';

/** Who uses one address. Shared by every Service on it. */
export interface AddressUse {
  readonly ip: IPAddress;
  readonly pool: string;
  sharingKey: string;
  backendKey: string;
  readonly services: Set<string>;
  /** "TCP/80" -> the Service using it */
  readonly ports: Map<string, string>;
}

export function portKey(port: ServicePort): string {
  return `${port.protocol}/${port.port}`;
}

/** Returns why `svc` cannot use the address, or undefined when it can. */
export function sharingConflict(use: AddressUse | undefined, svc: ServiceClaim): AllocationError | undefined {
  if (!use) return undefined;
  const others = [...use.services].filter((s) => s !== svc.key);
  if (others.length === 0) return undefined; // the sole user may change its key or ports in place
  const ip = formatIP(use.ip);
  if (use.services.has(svc.key) && use.sharingKey !== svc.sharingKey) {
    return new AllocationError(
      `can't change sharing key for "${svc.key}", address also in use by ${others.sort(compareText).join(',')}`,
    );
  }
  if (use.sharingKey === '') return new AllocationError(`existing service does not allow sharing on "${ip}"`);
  if (svc.sharingKey === '') return new AllocationError(`new service does not allow sharing on "${ip}"`);
  if (use.sharingKey !== svc.sharingKey) {
    return new AllocationError(
      `sharing key "${svc.sharingKey}" does not match existing sharing key "${use.sharingKey}" on "${ip}"`,
    );
  }
  if (use.backendKey !== svc.backendKey) {
    return new AllocationError(
      `backend key "${svc.backendKey}" does not match existing backend key "${use.backendKey}" on "${ip}"`,
    );
  }
  for (const port of svc.ports) {
    const owner = use.ports.get(portKey(port));
    if (owner !== undefined && owner !== svc.key) {
      return new AllocationError(`port ${portKey(port)} is already in use on "${ip}"`);
    }
  }
  return undefined;
}
