import {
  ARP_REQUEST_FILTER,
  BPF_JEQ_K,
  BPF_LD_B_ABS,
  BPF_LD_H_ABS,
  BPF_RET_K,
  type BpfInstruction,
  NEIGHBOR_SOLICITATION_FILTER,
} from './bpf';
import { encode } from './codec/frame';
import { gratuitousArp, unsolicitedNeighborAdvertisement } from './gratuitous';
import { unhex } from './codec/testutil';

/** Runs a program the way the kernel does for the opcodes we use: out-of-bounds loads drop the packet. */
function run(program: readonly BpfInstruction[], pkt: Uint8Array): number {
  let a = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc];
    if (ins === undefined) break;
    switch (ins.code) {
      case BPF_LD_H_ABS:
        if (ins.k + 2 > pkt.length) return 0;
        a = ((pkt[ins.k] ?? 0) << 8) | (pkt[ins.k + 1] ?? 0);
        break;
      case BPF_LD_B_ABS:
        if (ins.k + 1 > pkt.length) return 0;
        a = pkt[ins.k] ?? 0;
        break;
      case BPF_JEQ_K:
        pc += a === ins.k ? ins.jt : ins.jf;
        break;
      case BPF_RET_K:
        return ins.k;
      default:
        throw new Error(`opcode 0x${ins.code.toString(16)} not modelled`);
    }
  }
  throw new Error('fell off the end of the program');
}

const ARPING = unhex('ffffffffffff02000000000b0806000108000604000102000000000bc0000202000000000000c00002c8');
const NDISC6 = unhex(
  '3333ff00020002000000000b86dd6001527000203afffe80000000000000000000fffe00000bff0200000000000000000001ff000200' +
    '8700484e0000000020010db80001000000000000000002000101' +
    '02000000000b',
);

describe('socket filters', () => {
  it('keeps an arping request and drops ARP replies and IPv6', () => {
    expect(run(ARP_REQUEST_FILTER, ARPING)).toBeGreaterThan(0);
    expect(run(ARP_REQUEST_FILTER, encode(gratuitousArp('192.0.2.200', '02:00:00:00:00:0a')[1]))).toBe(0);
    expect(run(ARP_REQUEST_FILTER, NDISC6)).toBe(0);
  });

  it('keeps an ndisc6 solicitation and drops advertisements and ARP', () => {
    expect(run(NEIGHBOR_SOLICITATION_FILTER, NDISC6)).toBeGreaterThan(0);
    const na = encode(unsolicitedNeighborAdvertisement('2001:db8:1::200', '02:00:00:00:00:0a'));
    expect(run(NEIGHBOR_SOLICITATION_FILTER, na)).toBe(0);
    expect(run(NEIGHBOR_SOLICITATION_FILTER, ARPING)).toBe(0);
  });

  it('jumps only to instructions inside the program', () => {
    for (const program of [ARP_REQUEST_FILTER, NEIGHBOR_SOLICITATION_FILTER]) {
      program.forEach((ins, pc) => {
        if (ins.code === BPF_JEQ_K) expect(pc + 1 + Math.max(ins.jt, ins.jf)).toBeLessThan(program.length);
      });
      expect(program.at(-1)?.code).toBe(BPF_RET_K);
    }
  });
});
