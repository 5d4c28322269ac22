import {
  bgpStatusName,
  configStateName,
  l2StatusName,
  renderBGPStatus,
  renderConfigState,
  renderL2Status,
} from './status';

const base = {
  namespace: 'metallb-system',
  node: 'n1',
  serviceName: 'web',
  serviceNamespace: 'shop',
  owner: { name: 'speaker-x', uid: 'u1' },
};

describe('renderL2Status', () => {
  it("carries upstream's labels, the owning speaker Pod and the status fields", () => {
    const s = renderL2Status({ ...base, interfaces: 'all' });
    expect(s.metadata).toEqual({
      name: l2StatusName('n1', 'shop', 'web'),
      namespace: 'metallb-system',
      labels: {
        'metallb.io/node': 'n1',
        'metallb.io/service-name': 'web',
        'metallb.io/service-namespace': 'shop',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'speaker-x', uid: 'u1' }],
    });
    expect(s.status).toEqual({ node: 'n1', serviceName: 'web', serviceNamespace: 'shop' });
  });
  it('lists interfaces only when the announcement is restricted', () => {
    expect(renderL2Status({ ...base, interfaces: ['eth1', 'eth2'] }).status.interfaces).toEqual([
      { name: 'eth1' },
      { name: 'eth2' },
    ]);
  });
  it('names objects per node and Service, distinctly and within name limits', () => {
    const a = l2StatusName('n1', 'shop', 'web');
    expect(a).toMatch(/^l2-[0-9a-f]{16}$/);
    expect(l2StatusName('n2', 'shop', 'web')).not.toBe(a);
    expect(l2StatusName('n1', 'shopw', 'eb')).not.toBe(a);
  });
});

describe('renderBGPStatus', () => {
  it("carries the L2 statuses' labels and owner, and upstream's node and peers fields", () => {
    const s = renderBGPStatus({ ...base, peers: ['p1', 'p2'] });
    expect(s.kind).toBe('ServiceBGPStatus');
    const { name, ...sameAsL2 } = s.metadata;
    expect(name).toBe(bgpStatusName('n1', 'shop', 'web'));
    const { name: _l2name, ...l2 } = renderL2Status({ ...base, interfaces: 'all' }).metadata;
    expect(sameAsL2).toEqual(l2);
    expect(s.status).toEqual({
      node: 'n1',
      serviceName: 'web',
      serviceNamespace: 'shop',
      peers: ['p1', 'p2'],
    });
  });
  it('is named bgp-<digest>, apart from the L2 status of the same Service', () => {
    expect(bgpStatusName('n1', 'shop', 'web')).toMatch(/^bgp-[0-9a-f]{16}$/);
    expect(bgpStatusName('n1', 'shop', 'web').slice(4)).toBe(l2StatusName('n1', 'shop', 'web').slice(3));
  });
});

describe('renderConfigState', () => {
  const times = { config: 't1', announcer: 't2' };
  it('is speaker-<node>, Unknown before the first build', () => {
    const s = renderConfigState(
      'ns',
      'n1',
      { configErrors: undefined, announcerProblem: undefined },
      undefined,
      times,
    );
    expect(s.metadata.name).toBe(configStateName('n1'));
    expect(s.metadata.labels).toEqual({
      'metallb.io/component-type': 'speaker',
      'metallb.io/node-name': 'n1',
    });
    expect(s.status.result).toBe('Unknown');
  });
  it('is Invalid with the errors joined on configuration errors', () => {
    const s = renderConfigState(
      'ns',
      'n1',
      { configErrors: ['a', 'b'], announcerProblem: undefined },
      undefined,
      times,
    );
    expect(s.status).toMatchObject({ result: 'Invalid', errorSummary: 'a\nb' });
    expect(s.status.conditions[0]).toMatchObject({
      type: 'configReconcilerValid',
      status: 'False',
      reason: 'ConfigurationError',
    });
  });
  it('reports a missing capability as an InfraError condition without calling the config invalid', () => {
    const s = renderConfigState(
      'ns',
      'n1',
      { configErrors: [], announcerProblem: 'needs CAP_NET_RAW' },
      undefined,
      times,
    );
    expect(s.status).toMatchObject({ result: 'Valid', errorSummary: 'needs CAP_NET_RAW' });
    expect(s.status.conditions[1]).toMatchObject({
      type: 'layer2AnnouncerReady',
      status: 'False',
      reason: 'InfraError',
    });
  });
});
