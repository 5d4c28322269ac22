// The guard that keeps test networking inside the documentation ranges, on top of the project's own address
// math (addr/). Anything the harness configures (service ranges, node and router addresses, pools, peers)
// goes through assertTestCidr/assertTestIp, so a typo can never point a component at a real network.
import { type Cidr, cidrFirst, cidrSize, cidrsOverlap, parseCidr } from '../../addr/cidr';
import { FAMILY_BITS, formatIP, parseIP } from '../../addr/ip';

/** RFC 5737 and RFC 3849 documentation ranges: the only addresses test namespaces may use. */
export const TEST_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'] as const;

/** Parses a CIDR that must be written in canonical form (no host bits set); throws with the text otherwise. */
export function parseStrictCidr(text: string): Cidr {
  const c = parseCidr(text);
  const ip = parseIP(text.split('/')[0] ?? '');
  if (c === undefined || ip === undefined || ip.value !== c.base) {
    throw new Error(`cidr: malformed or has host bits set: ${text}`);
  }
  return c;
}

/** The n-th address of a range (n = 1 is what Kubernetes gives the `kubernetes` Service). */
export function nthAddress(cidr: string, n: number): string {
  const c = parseStrictCidr(cidr);
  if (BigInt(n) >= cidrSize(c)) throw new Error(`cidr: ${cidr} has no address #${n}`);
  const first = cidrFirst(c);
  return formatIP({ family: first.family, value: first.value + BigInt(n) });
}

function inside(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && cidrsOverlap(outer, inner);
}

export function isTestCidr(cidr: string): boolean {
  const c = parseStrictCidr(cidr);
  return TEST_RANGES.some((r) => inside(parseStrictCidr(r), c));
}

export function assertTestCidr(cidr: string): void {
  if (!isTestCidr(cidr)) {
    throw new Error(`refusing ${cidr}: test networks must lie inside ${TEST_RANGES.join(', ')}`);
  }
}

export function assertTestIp(ip: string): void {
  const parsed = parseIP(ip);
  if (parsed === undefined) throw new Error(`refusing ${ip}: not an IP address`);
  assertTestCidr(`${ip}/${FAMILY_BITS[parsed.family]}`);
}
