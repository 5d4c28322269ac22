// The one registry of metallb.io kinds: for each, what the CRD needs beyond the schema (names, versions,
// printer columns), the whole-object schema each served version parses with, the key its objects go under
// when the config is built, and whether the validating webhook reviews it. crdgen.ts turns it into crds/,
// resources.ts into REST paths; the webhooks, listers and the corpus test read it instead of listing kinds.
import { z } from 'zod';
import { AddressPool, AddressPoolSpec, AddressPoolStatus } from './addresspool';
import { BFDProfile, BFDProfileSpec } from './bfdprofile';
import { BGPAdvertisement, BGPAdvertisementSpec } from './bgpadvertisement';
import { BGPPeer, BGPPeerSpecV1beta1, BGPPeerSpecV1beta2, BGPPeerV1beta1 } from './bgppeer';
import { Community, CommunitySpec } from './community';
import { ConfigurationStateStatus } from './configurationstate';
import { IPAddressPool, IPAddressPoolSpec, IPAddressPoolStatus } from './ipaddresspool';
import { L2Advertisement, L2AdvertisementSpec } from './l2advertisement';
import { MetalLB, MetalLBSpec, MetalLBStatus } from './metallb';
import { GROUP } from './meta';
import { MetalLBServiceBGPStatus, MetalLBServiceL2Status } from './servicestatus';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface KindVersion {
  name: string;
  storage: boolean;
  deprecated?: string;
  spec?: z.ZodType;
  /** Whether spec is required at the top level (MetalLB's kubebuilder markers say so for some kinds). */
  specRequired?: boolean;
  status?: z.ZodType;
  printerColumns: PrinterColumn[];
  description: string;
  /** The whole object (envelope, spec, status) as ironlb parses it, where code reads this version. */
  object?: z.ZodType;
}

/**
 * Where the config model takes a kind's objects (config/resources.ts ClusterResources has one list per
 * key). Kinds without one (status kinds, MetalLB) are not configuration.
 */
export type ConfigListKey =
  | 'ipAddressPools'
  | 'addressPools'
  | 'l2Advertisements'
  | 'bgpAdvertisements'
  | 'bgpPeers'
  | 'communities'
  | 'bfdProfiles';

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames?: string[];
  /** Which deployable owns the CRD: the operator's own kinds ship in its bundle next to MetalLB's. */
  owner: 'metallb' | 'operator';
  versions: KindVersion[];
  /**
   * Set for kinds with several schemas (BGPPeer): the apiserver converts between versions by calling this
   * webhook Service. The controller injects the caBundle at run time, as upstream's cert rotator does.
   */
  conversionWebhook?: { service: string; namespace: string; path: string };
  configList?: ConfigListKey;
  /** Reviewed by the controller's validating webhook (upstream's kubebuilder markers in internal/k8s/webhooks). */
  validated?: boolean;
}

/** Upstream's webhook Service; the controller's --cert-service-name defaults to the same name. */
export const WEBHOOK_SERVICE = { service: 'metallb-webhook-service', namespace: 'metallb-system' } as const;

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const poolColumns: PrinterColumn[] = [
  { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
  { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
];
const serviceStatusColumns = (nodeColumn: string): PrinterColumn[] => [
  { name: nodeColumn, type: 'string', jsonPath: '.status.node' },
  { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
  { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
];
const peerColumns: PrinterColumn[] = [
  { name: 'Address', type: 'string', jsonPath: '.spec.peerAddress' },
  { name: 'ASN', type: 'string', jsonPath: '.spec.peerASN' },
  { name: 'BFD Profile', type: 'string', jsonPath: '.spec.bfdProfile' },
  { name: 'Multi Hops', type: 'string', jsonPath: '.spec.ebgpMultiHop' },
];
const conditionColumn = (type: string): PrinterColumn => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});

interface KindOptions {
  conversionPath?: string;
  configList?: ConfigListKey;
  validated?: boolean;
}

function kind(
  k: string,
  plural: string,
  owner: KindDefinition['owner'],
  versions: KindVersion[],
  opts: KindOptions = {},
): KindDefinition {
  const def: KindDefinition = {
    kind: k,
    plural,
    singular: k.toLowerCase(),
    listKind: `${k}List`,
    owner,
    versions,
    ...(opts.configList !== undefined ? { configList: opts.configList } : {}),
    ...(opts.validated ? { validated: true } : {}),
  };
  return opts.conversionPath === undefined
    ? def
    : { ...def, conversionWebhook: { ...WEBHOOK_SERVICE, path: opts.conversionPath } };
}

export const KINDS: KindDefinition[] = [
  kind(
    'IPAddressPool',
    'ipaddresspools',
    'metallb',
    [
      {
        name: 'v1beta1',
        storage: true,
        spec: IPAddressPoolSpec,
        object: IPAddressPool,
        specRequired: true,
        status: IPAddressPoolStatus,
        description:
          'IPAddressPool represents a pool of IP addresses that can be allocated to LoadBalancer services.',
        printerColumns: [
          { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
          { name: 'Avoid Buggy IPs', type: 'boolean', jsonPath: '.spec.avoidBuggyIPs' },
          { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
        ],
      },
    ],
    { configList: 'ipAddressPools', validated: true },
  ),
  kind(
    'L2Advertisement',
    'l2advertisements',
    'metallb',
    [
      {
        name: 'v1beta1',
        storage: true,
        spec: L2AdvertisementSpec,
        object: L2Advertisement,
        status: z.object({}),
        description:
          'L2Advertisement allows to advertise the LoadBalancer IPs provided by the selected pools via L2.',
        printerColumns: [
          ...poolColumns,
          { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
          { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
        ],
      },
    ],
    { configList: 'l2Advertisements', validated: true },
  ),
  kind(
    'BGPAdvertisement',
    'bgpadvertisements',
    'metallb',
    [
      {
        name: 'v1beta1',
        storage: true,
        spec: BGPAdvertisementSpec,
        object: BGPAdvertisement,
        status: z.object({}),
        description:
          'BGPAdvertisement allows to advertise the IPs coming from the selected IPAddressPools via BGP.',
        printerColumns: [
          ...poolColumns,
          { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
          { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
        ],
      },
    ],
    { configList: 'bgpAdvertisements', validated: true },
  ),
  kind(
    'BGPPeer',
    'bgppeers',
    'metallb',
    [
      {
        name: 'v1beta1',
        storage: false,
        deprecated: 'v1beta1 is deprecated, please use v1beta2',
        spec: BGPPeerSpecV1beta1,
        object: BGPPeerV1beta1,
        status: z.object({}),
        description: 'BGPPeer is the Schema for the peers API (deprecated version).',
        printerColumns: peerColumns,
      },
      {
        name: 'v1beta2',
        storage: true,
        spec: BGPPeerSpecV1beta2,
        object: BGPPeer,
        status: z.object({}),
        description: 'BGPPeer is the Schema for the peers API.',
        printerColumns: peerColumns,
      },
    ],
    { conversionPath: '/convert', configList: 'bgpPeers', validated: true },
  ),
  kind(
    'Community',
    'communities',
    'metallb',
    [
      {
        name: 'v1beta1',
        storage: true,
        spec: CommunitySpec,
        object: Community,
        status: z.object({}),
        description: 'Community is a collection of aliases for communities.',
        printerColumns: [],
      },
    ],
    { configList: 'communities', validated: true },
  ),
  kind(
    'BFDProfile',
    'bfdprofiles',
    'metallb',
    [
      {
        name: 'v1beta1',
        storage: true,
        spec: BFDProfileSpec,
        object: BFDProfile,
        status: z.object({}),
        description:
          'BFDProfile represents the settings of the bfd session that can be optionally associated with a BGP session.',
        printerColumns: [
          { name: 'Passive Mode', type: 'boolean', jsonPath: '.spec.passiveMode' },
          { name: 'Transmit Interval', type: 'integer', jsonPath: '.spec.transmitInterval' },
          { name: 'Receive Interval', type: 'integer', jsonPath: '.spec.receiveInterval' },
          { name: 'Multiplier', type: 'integer', jsonPath: '.spec.detectMultiplier' },
        ],
      },
    ],
    { configList: 'bfdProfiles', validated: true },
  ),
  kind('ServiceL2Status', 'servicel2statuses', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({}),
      status: MetalLBServiceL2Status,
      description:
        'ServiceL2Status reveals the actual traffic status of loadbalancer services in layer2 mode.',
      printerColumns: serviceStatusColumns('Allocated Node'),
    },
  ]),
  kind('ServiceBGPStatus', 'servicebgpstatuses', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: z.object({}),
      status: MetalLBServiceBGPStatus,
      description:
        'ServiceBGPStatus exposes the BGP peers a service is configured to be advertised to, per relevant node.',
      printerColumns: serviceStatusColumns('Node'),
    },
  ]),
  kind('ConfigurationState', 'configurationstates', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      status: ConfigurationStateStatus,
      description:
        'ConfigurationState is a status-only CRD that reports configuration validation results from MetalLB components.',
      printerColumns: [
        { name: 'Result', type: 'string', jsonPath: '.status.result' },
        { name: 'ErrorSummary', type: 'string', jsonPath: '.status.errorSummary' },
        age,
      ],
    },
  ]),
  kind('MetalLB', 'metallbs', 'operator', [
    {
      name: 'v1beta1',
      storage: true,
      spec: MetalLBSpec,
      object: MetalLB,
      status: MetalLBStatus,
      description:
        'MetalLB is the Schema for the metallbs API: the singleton that tells the operator to deploy ironlb.',
      printerColumns: [
        conditionColumn('Available'),
        conditionColumn('Degraded'),
        conditionColumn('Progressing'),
        age,
      ],
    },
  ]),
  kind(
    'AddressPool',
    'addresspools',
    'operator',
    [
      {
        name: 'v1alpha1',
        storage: true,
        spec: AddressPoolSpec,
        object: AddressPool,
        specRequired: true,
        status: AddressPoolStatus,
        description: 'AddressPool is the legacy (OKD 4.9) Schema for address pools; prefer IPAddressPool.',
        printerColumns: [
          { name: 'Protocol', type: 'string', jsonPath: '.spec.protocol' },
          { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
          { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
          { name: 'Served', type: 'string', jsonPath: '.status.conditions[?(@.type=="Served")].status' },
          { name: 'Migrated', type: 'string', jsonPath: '.status.conditions[?(@.type=="Migrated")].status' },
        ],
      },
    ],
    { configList: 'addressPools' },
  ),
];

export { GROUP };
