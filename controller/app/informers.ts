// The caches the controller reads: every Service in the cluster, and the config kinds the pools are built
// from (IPAddressPools and legacy AddressPools in the MetalLB namespace, Namespaces for namespaceSelectors).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import type { ClusterResources } from '../../config/resources';
import type { Clock } from '../../kube/clock';
import { isNotFound } from '../../kube/errors';
import { Informer } from '../../kube/informer';
import { ClientNodeListWatch, decodeKubeObject, Decoder } from '../../kube/listwatch';
import { KubeObject, kubeObjectSchema } from '../../kube/object';
import { RESOURCES, ResourceRef } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { Service, ServiceSchema } from '../../api/service';
import { METALLB } from '../../api/resources';
import { CONFIG_STATE_NAME } from '../reconciler/statuswriters';

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
  return ServiceSchema.parse(raw);
};

/** Whether the legacy AddressPool CRD is served; without it an informer would retry forever, never synced. */
export async function servesAddressPools(rest: RestClient): Promise<boolean> {
  try {
    const raw = await rest.request({
      method: 'GET',
      path: `/apis/${METALLB.addressPools.group}/${METALLB.addressPools.version}`,
    });
    return JSON.stringify(raw ?? {}).includes('"addresspools"');
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function createInformers(opts: {
  kubeConfig: KubeConfig;
  rest: RestClient;
  namespace: string;
  clock: Clock;
  logger: Logger;
  withAddressPools: boolean;
}): ControllerInformers {
  const watch = new Watch(opts.kubeConfig);
  const make = <T extends KubeObject>(
    resource: ResourceRef,
    decode: Decoder<T>,
    namespace?: string,
    fieldSelector?: string,
  ): Informer<T> =>
    new Informer<T>({
      source: new ClientNodeListWatch<T>({
        rest: opts.rest,
        watch,
        resource,
        decode,
        logger: opts.logger,
        ...(namespace !== undefined ? { namespace } : {}),
        ...(fieldSelector !== undefined ? { fieldSelector } : {}),
      }),
      clock: opts.clock,
      logger: opts.logger,
    });
  const services = make(RESOURCES.services, decodeService);
  const pools = make(METALLB.ipAddressPools, decodeKubeObject, opts.namespace);
  const legacy = opts.withAddressPools
    ? make(METALLB.addressPools, decodeKubeObject, opts.namespace)
    : undefined;
  const namespaces = make(RESOURCES.namespaces, decodeKubeObject);
  const config = [pools, namespaces, ...(legacy ? [legacy] : [])];
  const configState = make(
    METALLB.configurationStates,
    decodeKubeObject,
    opts.namespace,
    `metadata.name=${CONFIG_STATE_NAME}`,
  );
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
