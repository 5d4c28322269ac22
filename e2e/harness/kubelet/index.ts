// Public surface of the process kubelet.
export { Kubelet, type KubeletNode, type KubeletOptions } from './kubelet';
export {
  defaultImageTable,
  ironlbEntry,
  resolveCommand,
  TEST_IMAGE,
  type ImageEntry,
  type ImageTable,
} from './images';
export { loopbackRuntime, netnsRuntime, type ProcessRuntime } from './runtime';
export { SERVICEACCOUNT_SUBDIR } from './serviceaccount';
export { KUBELET_RESTART_BACKOFF, type RestartBackoffOptions } from './backoff';
export { KUBELET_PORT } from './endpoint';
export { metallbBuild, metallbImages, metallbVersion, type MetallbBuild } from './metallb';
