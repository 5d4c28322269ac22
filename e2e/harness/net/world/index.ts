// A network world: namespaces for nodes, client, routers and peers, wired to bridges, recorded on disk and
// cleaned up on exit. The plan (addresses, topology) is pure data; world.ts turns it into namespaces.
export { createWorld, nodeExecutable, type SpawnInOptions, type World, type WorldOptions } from './world';
export type { Host, HostInterface } from './links';
export {
  BGP_POOLS,
  FAR,
  L2_POOLS,
  LAN,
  LAN2,
  checkPlan,
  hostsOfKind,
  planWorld,
  type HostKind,
  type HostPlan,
  type InterfacePlan,
  type PeerSpec,
  type PlanOptions,
  type RoutePlan,
  type SegmentName,
  type SegmentPlan,
  type WorldPlan,
} from './plan';
export { NET_PREFIX, belongsToWorld, nodeRole, nsName, worldPrefix } from './names';
export { procStartTime, type WorldRecord } from './record';
