// Every metallb.io kind ironlb serves, with what a CustomResourceDefinition needs beyond the schema: names,
// versions, printer columns. crdgen.ts turns this into the files under crds/.
import { z } from 'zod';
import { AddressPoolSpec } from './addresspool';
import { BFDProfileSpec } from './bfdprofile';
import { BGPAdvertisementSpec } from './bgpadvertisement';
import { BGPPeerSpecV1beta1, BGPPeerSpecV1beta2 } from './bgppeer';
import { CommunitySpec } from './community';
import { ConfigurationStateStatus } from './configurationstate';
import { IPAddressPoolSpec, IPAddressPoolStatus } from './ipaddresspool';
import { L2AdvertisementSpec } from './l2advertisement';
import { MetalLBSpec, MetalLBStatus } from './metallb';
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
}

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

function kind(
  k: string,
  plural: string,
  owner: KindDefinition['owner'],
  versions: KindVersion[],
  conversionPath?: string,
): KindDefinition {
  const def: KindDefinition = {
    kind: k,
    plural,
    singular: k.toLowerCase(),
    listKind: `${k}List`,
    owner,
    versions,
  };
  return conversionPath === undefined
    ? def
    : { ...def, conversionWebhook: { ...WEBHOOK_SERVICE, path: conversionPath } };
}

export const KINDS: KindDefinition[] = [
  kind('IPAddressPool', 'ipaddresspools', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: IPAddressPoolSpec,
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
  ]),
  kind('L2Advertisement', 'l2advertisements', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: L2AdvertisementSpec,
      status: z.object({}),
      description:
        'L2Advertisement allows to advertise the LoadBalancer IPs provided by the selected pools via L2.',
      printerColumns: [
        ...poolColumns,
        { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
        { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
      ],
    },
  ]),
  kind('BGPAdvertisement', 'bgpadvertisements', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: BGPAdvertisementSpec,
      status: z.object({}),
      description:
        'BGPAdvertisement allows to advertise the IPs coming from the selected IPAddressPools via BGP.',
      printerColumns: [
        ...poolColumns,
        { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
        { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
      ],
    },
  ]),
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
        status: z.object({}),
        description: 'BGPPeer is the Schema for the peers API (deprecated version).',
        printerColumns: peerColumns,
      },
      {
        name: 'v1beta2',
        storage: true,
        spec: BGPPeerSpecV1beta2,
        status: z.object({}),
        description: 'BGPPeer is the Schema for the peers API.',
        printerColumns: peerColumns,
      },
    ],
    '/convert',
  ),
  kind('Community', 'communities', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: CommunitySpec,
      status: z.object({}),
      description: 'Community is a collection of aliases for communities.',
      printerColumns: [],
    },
  ]),
  kind('BFDProfile', 'bfdprofiles', 'metallb', [
    {
      name: 'v1beta1',
      storage: true,
      spec: BFDProfileSpec,
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
  ]),
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
  kind('AddressPool', 'addresspools', 'operator', [
    {
      name: 'v1alpha1',
      storage: true,
      spec: AddressPoolSpec,
      specRequired: true,
      status: z.object({}),
      description: 'AddressPool is the legacy (OKD 4.9) Schema for address pools; prefer IPAddressPool.',
      printerColumns: [
        { name: 'Protocol', type: 'string', jsonPath: '.spec.protocol' },
        { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
        { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
      ],
    },
  ]),
];

export { GROUP };
