// Public surface of the simulated network: importers outside e2e/harness/net go through here.
//   world/    building, recording and removing a network world
//   probe/    L2 probes, their parsers, the root-namespace fingerprint
//   backend/  service addresses and HTTP backends for traffic tests
//   exec.ts   running `ip` and commands inside namespaces
//   expose.ts loopback bridges between the root namespace and a world's namespaces
export * from './world';
export * from './probe';
export * from './backend';
export {
  CommandError,
  deleteNamespaceSync,
  ip,
  ipJson,
  listNamespaces,
  listNamespacesSync,
  namespacePids,
  nsExec,
  nsExecPrefix,
  parseNetnsList,
  run,
  setSysctls,
  type ExecOptions,
  type ExecResult,
} from './exec';
export { exposeNamespacePort, exposeRootPort, type Forward } from './expose';
