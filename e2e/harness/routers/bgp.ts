// What the three router daemons' configs have in common: neighbours and originated prefixes, validated once
// against the documentation ranges before any config file is written.
import { assertTestCidr, assertTestIp } from '../cidr';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface BgpNeighbor {
  address: string;
  asn: number;
  /** TCP MD5 password (RFC 2385). */
  password?: string;
  /** eBGP multihop (the neighbour is not on a shared segment). */
  multihop?: boolean;
  /** The neighbour's BGP port, when not 179. */
  port?: number;
  /** Families activated on this session; default: the family of `address`. */
  families?: AddressFamily[];
  /** Hold time in seconds (keepalive is a third of it); default: the daemon's. */
  holdTime?: number;
  /** Graceful restart (RFC 4724) with this neighbour: keep its routes stale while it restarts. FRR only. */
  gracefulRestart?: boolean;
  /** BFD (RFC 5880) on this session with these timers; multihop (RFC 5883) when `multihop` is set. FRR only. */
  bfd?: BgpNeighborBfd;
}

export interface BgpNeighborBfd {
  /** Required Min RX, milliseconds. */
  receiveInterval: number;
  /** Desired Min TX, milliseconds. */
  transmitInterval: number;
  detectMultiplier: number;
  /** Lowest TTL accepted on a multihop session (RFC 5883 5); ignored on single hop. FRR: sets the hop count. */
  minimumTtl?: number;
}

export interface BgpSpeakerConfig {
  asn: number;
  /** IPv4 router id, from the documentation ranges like everything else. */
  routerId: string;
  neighbors: BgpNeighbor[];
  /** Prefixes this daemon originates. */
  networks?: string[];
  /** Port to listen on (default 179). */
  listenPort?: number;
}

export function familyOf(ipOrCidr: string): AddressFamily {
  return ipOrCidr.includes(':') ? 'ipv6' : 'ipv4';
}

export function neighborFamilies(n: BgpNeighbor): AddressFamily[] {
  return n.families ?? [familyOf(n.address)];
}

const ASN_MAX = 4294967295;

/** Throws with the field at fault when anything points outside the documentation ranges or is malformed. */
export function validateSpeakerConfig(what: string, c: BgpSpeakerConfig): void {
  const asn = (v: number, field: string): void => {
    if (!Number.isInteger(v) || v < 1 || v > ASN_MAX)
      throw new Error(`${what}: ${field} ${v} is not a valid ASN`);
  };
  asn(c.asn, 'asn');
  if (c.routerId.includes(':')) throw new Error(`${what}: routerId must be IPv4, got ${c.routerId}`);
  assertTestIp(c.routerId);
  c.neighbors.forEach((n, i) => {
    assertTestIp(n.address);
    asn(n.asn, `neighbors[${i}].asn`);
    if (n.port !== undefined && (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535)) {
      throw new Error(`${what}: neighbors[${i}].port ${n.port} is not a TCP port`);
    }
    if (n.password !== undefined && !/^[\x21-\x7e]{1,80}$/.test(n.password)) {
      // Printable, no spaces or quotes issues in any of the three config syntaxes.
      throw new Error(`${what}: neighbors[${i}].password must be 1-80 printable non-space characters`);
    }
    if (n.bfd !== undefined) validateBfd(`${what}: neighbors[${i}].bfd`, n.bfd);
    if (n.password !== undefined && /["\\]/.test(n.password)) {
      throw new Error(`${what}: neighbors[${i}].password must not contain quotes or backslashes`);
    }
  });
  for (const p of c.networks ?? []) assertTestCidr(p);
  if (
    c.listenPort !== undefined &&
    (!Number.isInteger(c.listenPort) || c.listenPort < 1 || c.listenPort > 65535)
  ) {
    throw new Error(`${what}: listenPort ${c.listenPort} is not a TCP port`);
  }
}

/** FRR bfdd's ranges: intervals 10-60000 ms, multiplier 2-255, minimum TTL 1-254. */
function validateBfd(what: string, b: BgpNeighborBfd): void {
  const check = (v: number, lo: number, hi: number, field: string): void => {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new Error(`${what}.${field} ${v} is not in ${lo}-${hi}`);
  };
  check(b.receiveInterval, 10, 60_000, 'receiveInterval');
  check(b.transmitInterval, 10, 60_000, 'transmitInterval');
  check(b.detectMultiplier, 2, 255, 'detectMultiplier');
  if (b.minimumTtl !== undefined) check(b.minimumTtl, 1, 254, 'minimumTtl');
}

/** The hostname or protocol name derived from an address: 192.0.2.11 -> 192_0_2_11, 2001:db8::1 -> 2001_db8__1. */
export function addressToken(ip: string): string {
  return ip.replace(/[.:]/g, '_');
}
