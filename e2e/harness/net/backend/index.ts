// Traffic-test backends: a service address on a node's `lo`, hidden from ARP, and an HTTP server that answers
// with the node's name.
export {
  addServiceAddress,
  hideLoopbackAddressesFromArp,
  httpGetFrom,
  removeServiceAddress,
  startBackend,
  type Backend,
  type BackendAnswer,
} from './backend';
export { parseProberLine, startHttpProber, type HttpProber, type ProbeResult } from './prober';
