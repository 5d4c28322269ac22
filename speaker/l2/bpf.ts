// Classic BPF socket filters (Linux Documentation/networking/filter.rst) so the kernel hands the speaker
// only the frames it answers: ARP requests, and IPv6 packets that carry an ICMPv6 Neighbor Solicitation
// right after the fixed header. Everything else stays in the kernel, which matters on busy nodes.

export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

// Opcodes from linux/filter.h, named as there.
export const BPF_LD_H_ABS = 0x28; // A = u16 at [k]
export const BPF_LD_B_ABS = 0x30; // A = u8 at [k]
export const BPF_JEQ_K = 0x15; // pc += (A == k) ? jt : jf
export const BPF_RET_K = 0x06; // return k (bytes to keep; 0 drops)

const KEEP = 0x40000;
const DROP = 0;

/** EtherType ARP (offset 12) and ARP operation 1 (offset 14 + 6). */
export const ARP_REQUEST_FILTER: readonly BpfInstruction[] = [
  { code: BPF_LD_H_ABS, jt: 0, jf: 0, k: 12 },
  { code: BPF_JEQ_K, jt: 0, jf: 3, k: 0x0806 },
  { code: BPF_LD_H_ABS, jt: 0, jf: 0, k: 20 },
  { code: BPF_JEQ_K, jt: 0, jf: 1, k: 1 },
  { code: BPF_RET_K, jt: 0, jf: 0, k: KEEP },
  { code: BPF_RET_K, jt: 0, jf: 0, k: DROP },
];

/** EtherType IPv6, next header 58 (offset 14 + 6) and ICMPv6 type 135 (offset 14 + 40). */
export const NEIGHBOR_SOLICITATION_FILTER: readonly BpfInstruction[] = [
  { code: BPF_LD_H_ABS, jt: 0, jf: 0, k: 12 },
  { code: BPF_JEQ_K, jt: 0, jf: 5, k: 0x86dd },
  { code: BPF_LD_B_ABS, jt: 0, jf: 0, k: 20 },
  { code: BPF_JEQ_K, jt: 0, jf: 3, k: 58 },
  { code: BPF_LD_B_ABS, jt: 0, jf: 0, k: 54 },
  { code: BPF_JEQ_K, jt: 0, jf: 1, k: 135 },
  { code: BPF_RET_K, jt: 0, jf: 0, k: KEEP },
  { code: BPF_RET_K, jt: 0, jf: 0, k: DROP },
];
