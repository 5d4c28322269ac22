// The tests' eyes on the simulated network: L2 probes (arping, ndisc6, neighbour tables, tcpdump), the parsers
// for their output, and a fingerprint of the root namespace that proves the world never touched it.
export {
  arping,
  flushNeighbours,
  ndisc6,
  neighbourMac,
  neighbours,
  startCapture,
  type ArpingResult,
  type Capture,
  type Ndisc6Result,
} from './l2';
export {
  arpOf,
  ndpOf,
  parseArping,
  parseNdisc6,
  parseNeighbours,
  parseTcpdump,
  parseTcpdumpLine,
  type ArpMessage,
  type ArpReply,
  type CapturedPacket,
  type NdpMessage,
  type Neighbour,
} from './parse';
export { rootNetSnapshot, type RootNetSnapshot } from './rootnet';
