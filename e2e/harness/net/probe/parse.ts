// Parsers for the text the L2 probes print (arping 2.x by Thomas Habets, ndisc6, `ip -j neigh`, tcpdump with
// `-n -e -tt`). Pure, so each format is pinned by unit tests against captured real output.

export interface ArpReply {
  mac: string;
  ip: string;
}

const MAC = '[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}';

/** `42 bytes from de:fd:6f:8a:b4:18 (192.0.2.11): index=0 time=54.212 usec`, one per reply. */
export function parseArping(text: string): ArpReply[] {
  const re = new RegExp(`bytes from (${MAC}) \\(([0-9.]+)\\)`, 'g');
  return [...text.matchAll(re)].map((m) => ({ mac: (m[1] ?? '').toLowerCase(), ip: m[2] ?? '' }));
}

/** `Target link-layer address: DE:FD:6F:8A:B4:18`, one per advertisement (several with `ndisc6 -m`). */
export function parseNdisc6(text: string): string[] {
  const re = new RegExp(`Target link-layer address: (${MAC})`, 'g');
  return [...text.matchAll(re)].map((m) => (m[1] ?? '').toLowerCase());
}

export interface Neighbour {
  ip: string;
  dev: string;
  /** Absent for INCOMPLETE/FAILED entries. */
  mac: string | undefined;
  state: string[];
}

/** `ip -j neigh show` output. */
export function parseNeighbours(json: string): Neighbour[] {
  const text = json.trim();
  if (text === '') return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`ip -j neigh: expected an array, got ${text.slice(0, 200)}`);
  return parsed.map((e: unknown) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const state = Array.isArray(o.state) ? o.state.filter((s): s is string => typeof s === 'string') : [];
    return {
      ip: typeof o.dst === 'string' ? o.dst : '',
      dev: typeof o.dev === 'string' ? o.dev : '',
      mac: typeof o.lladdr === 'string' ? o.lladdr.toLowerCase() : undefined,
      state,
    };
  });
}

export interface CapturedPacket {
  /** Seconds since the epoch, as tcpdump -tt prints it. */
  time: number;
  srcMac: string;
  dstMac: string;
  /** `ARP`, `IPv4`, `IPv6`, ... */
  ethertype: string;
  /** Everything after the link-level header, e.g. `Request who-has 192.0.2.11 tell 192.0.2.100, length 28`. */
  summary: string;
  raw: string;
}

const PACKET = new RegExp(
  `^(\\d+\\.\\d+) (${MAC}) > (${MAC}), ethertype (\\S+) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`,
);

/** One `tcpdump -n -e -tt` line, or undefined for status lines ("listening on", "N packets captured"). */
export function parseTcpdumpLine(line: string): CapturedPacket | undefined {
  const m = PACKET.exec(line.trim());
  if (m === null) return undefined;
  return {
    time: Number(m[1]),
    srcMac: (m[2] ?? '').toLowerCase(),
    dstMac: (m[3] ?? '').toLowerCase(),
    ethertype: m[4] ?? '',
    summary: m[5] ?? '',
    raw: line,
  };
}

export function parseTcpdump(text: string): CapturedPacket[] {
  return text
    .split('\n')
    .map(parseTcpdumpLine)
    .filter((p): p is CapturedPacket => p !== undefined);
}

export type ArpMessage =
  { op: 'request'; target: string; sender: string } | { op: 'reply'; ip: string; mac: string };

/** The ARP content of a captured packet (requests, gratuitous ones included, and replies). */
export function arpOf(p: CapturedPacket): ArpMessage | undefined {
  if (p.ethertype !== 'ARP') return undefined;
  const req = /^Request who-has (\S+) (?:\(\S+\) )?tell (\S+),/.exec(p.summary);
  if (req !== null) return { op: 'request', target: req[1] ?? '', sender: req[2] ?? '' };
  const rep = new RegExp(`^Reply (\\S+) is-at (${MAC}),`).exec(p.summary);
  if (rep !== null) return { op: 'reply', ip: rep[1] ?? '', mac: (rep[2] ?? '').toLowerCase() };
  return undefined;
}

export type NdpMessage =
  | { type: 'solicitation'; src: string; target: string }
  | { type: 'advertisement'; src: string; target: string };

/** The NDP content of a captured packet (neighbour solicitations and advertisements). */
export function ndpOf(p: CapturedPacket): NdpMessage | undefined {
  if (p.ethertype !== 'IPv6') return undefined;
  const ns = /^(\S+) > \S+: ICMP6, neighbor solicitation, who has (\S+),/.exec(p.summary);
  if (ns !== null) return { type: 'solicitation', src: ns[1] ?? '', target: ns[2] ?? '' };
  const na = /^(\S+) > \S+: ICMP6, neighbor advertisement, tgt is (\S+),/.exec(p.summary);
  if (na !== null) return { type: 'advertisement', src: na[1] ?? '', target: na[2] ?? '' };
  return undefined;
}
