// The caches the controller reads: every Service in the cluster, and the config kinds the pools are built
// from (IPAddressPools and legacy AddressPools in the MetalLB namespace, Namespaces for namespaceSelectors).
import type { Logger } from '../../kube/log';
import { METALLB } from '../../api/resources';
import { Service, ServiceSchema } from '../../api/service';
import type { ClusterResources } from '../../config/resources';
import type { Clock } from '../../kube/clock';
import { Informer } from '../../kube/informer';
import { informerFactory, isServed } from '../../kube/informerfactory';
import { decodeKubeObject, Decoder } from '../../kube/listwatch';
import { KubeObject, kubeObjectSchema } from '../../kube/object';
import { RESOURCES } from '../../kube/resource';
import type { KubeConfigLike, RestClient } from '../../kube/rest';
import { CONFIG_STATE_NAME } from '../reconciler/statuswriters';
import { leanService } from './servicecache';

export interface ControllerInformers {
  readonly services: Informer<Service>;
  readonly config: readonly Informer<KubeObject>[];
  /** Our own ConfigurationState, to recreate it when someone deletes it. */
  readonly configState: Informer<KubeObject>;
  readonly configResources: () => ClusterResources;
  start(): void;
  stop(): void;
  waitForSync(): Promise<void>;
  hasSynced(): boolean;
}

const decodeService: Decoder<Service> = (raw) => {
  kubeObjectSchema.parse(raw);
  return leanService(ServiceSchema.parse(raw));
};

/** Whether the legacy AddressPool CRD is served; without it an informer would retry forever, never synced. */
export function servesAddressPools(rest: RestClient): Promise<boolean> {
  return isServed(rest, METALLB.addressPools);
}

export function createInformers(opts: {
  kubeConfig: KubeConfigLike;
  rest: RestClient;
  namespace: string;
  clock: Clock;
  logger: Logger;
  withAddressPools: boolean;
}): ControllerInformers {
  const make = informerFactory(opts);
  const services = make(RESOURCES.services, decodeService);
  const pools = make(METALLB.ipAddressPools, decodeKubeObject, { namespace: opts.namespace });
  const legacy = opts.withAddressPools
    ? make(METALLB.addressPools, decodeKubeObject, { namespace: opts.namespace })
    : undefined;
  const namespaces = make(RESOURCES.namespaces, decodeKubeObject);
  const config = [pools, namespaces, ...(legacy ? [legacy] : [])];
  const configState = make(METALLB.configurationStates, decodeKubeObject, {
    namespace: opts.namespace,
    fieldSelector: `metadata.name=${CONFIG_STATE_NAME}`,
  });
  const all = [services, configState, ...config];
  return {
    services,
    config,
    configState,
    configResources: () => ({
      ipAddressPools: pools.list(),
      addressPools: legacy?.list() ?? [],
      namespaces: namespaces.list(),
    }),
    start: () => all.forEach((i) => i.start()),
    stop: () => all.forEach((i) => i.stop()),
    waitForSync: async () => {
      await Promise.all(all.map((i) => i.waitForSync()));
    },
    hasSynced: () => all.every((i) => i.hasSynced()),
  };
}
