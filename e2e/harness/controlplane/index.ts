// Public surface of the control plane harness: importers outside e2e/harness/controlplane go through here.
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './controlplane';
export {
  loopbackPlacement,
  worldPlacement,
  type ComponentPorts,
  type HostPort,
  type Placement,
  type WorldPlacementOptions,
} from './placement';
export { managementHost, type ManagementHost } from './management';
export { APISERVER_KUBELET_CLIENT_USER, SA_ISSUER, type ControllerCredentials } from './pki';
