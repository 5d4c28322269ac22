// Public surface of the cluster harness; tests import from here.
export {
  startControlPlane,
  type ControlPlane,
  type ControlPlaneOptions,
  loopbackPlacement,
  worldPlacement,
  type Placement,
  type WorldPlacementOptions,
  managementHost,
  type ManagementHost,
} from './controlplane';
export { restClient, type Credentials, type HarnessRestClient } from './kubeconfig';
export { SimNode, deleteNode, type SimNodeSpec, type HeartbeatOptions } from './nodes';
export { killNode, type DeadNode, type KillNodeOptions, type NodeParts } from './nodefailure';
export { onExitCleanup, type CleanupPhase } from './exitcleanup';
export {
  Kubelet,
  TEST_IMAGE,
  defaultImageTable,
  type ImageEntry,
  type ImageTable,
  type KubeletOptions,
} from './kubelet';
export { clientNode, type ClientNode } from './clientnode';
export { Pki, type CertPair, type ClientIdentity } from './certs';
export { TEST_RANGES, assertTestCidr, assertTestIp, isTestCidr, nthAddress } from './cidr';
export {
  MissingBinariesError,
  controlPlaneBinaries,
  gobgpBinaries,
  readVersions,
  type ClusterVersions,
} from './paths';
export { ProcessGroup, livePids, spawnManaged, type ManagedProcess } from './processes';
export { waitFor, waitForHttp200 } from './readiness';
