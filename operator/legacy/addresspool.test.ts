// The status a legacy AddressPool gets and the objects its migration writes.
import type { AddressPool } from '../../api/addresspool';
import { addressPoolStatus, migrationObjects, wantsMigration, type LegacyFindings } from './addresspool';

const NOW = new Date('2026-12-02T10:00:00Z');
const EARLIER = '2026-12-01T09:00:00Z';

function pool(
  overrides: Partial<AddressPool['spec']> = {},
  annotations: Record<string, string> = {},
): AddressPool {
  return {
    apiVersion: 'metallb.io/v1alpha1',
    kind: 'AddressPool',
    metadata: { name: 'legacy', namespace: 'metallb-system', generation: 3, annotations },
    spec: { protocol: 'layer2', addresses: ['192.0.2.0/28'], ...overrides },
  };
}

const valid: LegacyFindings = { ownErrors: [], controller: { valid: true, errorSummary: '' } };
const served = (p: AddressPool, f: LegacyFindings) =>
  addressPoolStatus(p, f, NOW).conditions.find((c) => c.type === 'Served');

describe('migrationObjects', () => {
  test('layer2: an IPAddressPool of the same name, addresses and autoAssign, and an L2Advertisement of it', () => {
    const [ipPool, adv] = migrationObjects(pool({ autoAssign: false }));
    expect(ipPool).toMatchObject({
      kind: 'IPAddressPool',
      metadata: {
        name: 'legacy',
        namespace: 'metallb-system',
        annotations: { 'metallb.io/migrated-from': 'AddressPool/legacy' },
        labels: { 'app.kubernetes.io/managed-by': 'ironlb-operator' },
      },
      spec: { addresses: ['192.0.2.0/28'], autoAssign: false },
    });
    expect(adv).toMatchObject({ kind: 'L2Advertisement', spec: { ipAddressPools: ['legacy'] } });
  });

  test('bgp: a BGPAdvertisement with the defaults of MetalLB <= 0.12', () => {
    const [ipPool, adv] = migrationObjects(pool({ protocol: 'bgp' }));
    expect(ipPool?.spec).toEqual({ addresses: ['192.0.2.0/28'], autoAssign: true });
    expect(adv).toMatchObject({ kind: 'BGPAdvertisement', spec: { ipAddressPools: ['legacy'] } });
  });

  test('migration is asked for only by metallb.io/migrate: "true"', () => {
    expect(wantsMigration(pool({}, { 'metallb.io/migrate': 'true' }))).toBe(true);
    expect(wantsMigration(pool({}, { 'metallb.io/migrate': 'yes' }))).toBe(false);
    expect(wantsMigration(pool())).toBe(false);
  });
});

describe('addressPoolStatus', () => {
  test('served: the pool and layer 2 advertisement it stands for, Deprecated, no Migrated', () => {
    const status = addressPoolStatus(pool(), valid, NOW);
    expect(status.ipAddressPool).toBe('legacy');
    expect(status.advertisement).toEqual({ kind: 'L2Advertisement', name: 'legacy' });
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Served', 'True', 'Served'],
      ['Deprecated', 'True', 'Deprecated'],
    ]);
    expect(status.conditions.every((c) => c.observedGeneration === 3)).toBe(true);
  });

  test("its own errors: not served, with the configuration model's messages", () => {
    const message = 'AddressPool metallb-system/legacy: spec.addresses[0] "192.0.2.0/33": invalid CIDR';
    expect(served(pool(), { ...valid, ownErrors: [message] })).toMatchObject({
      status: 'False',
      reason: 'InvalidAddressPool',
      message,
    });
  });

  test("the controller rejecting the configuration: not served, with the controller's summary", () => {
    expect(
      served(pool(), { ownErrors: [], controller: { valid: false, errorSummary: 'BGPPeer x: bad' } }),
    ).toMatchObject({
      status: 'False',
      reason: 'ConfigurationInvalid',
      message: 'the controller rejects the configuration: BGPPeer x: bad',
    });
  });

  test('no word from the controller yet: Unknown', () => {
    expect(served(pool(), { ownErrors: [] })).toMatchObject({
      status: 'Unknown',
      reason: 'ConfigurationUnknown',
    });
  });

  test('migrated: not served itself, Migrated True naming what replaces it', () => {
    const status = addressPoolStatus(
      pool({}, { 'metallb.io/migrated-to': 'IPAddressPool/legacy' }),
      valid,
      NOW,
    );
    expect(status.conditions.find((c) => c.type === 'Served')).toMatchObject({
      status: 'False',
      reason: 'Migrated',
    });
    expect(status.conditions.find((c) => c.type === 'Migrated')).toMatchObject({
      status: 'True',
      message: expect.stringContaining('IPAddressPool/legacy and L2Advertisement/legacy'),
    });
  });

  test('a blocked migration: Migrated False with the reason', () => {
    const status = addressPoolStatus(
      pool(),
      { ...valid, migrationBlocked: 'IPAddressPool x/legacy exists' },
      NOW,
    );
    expect(status.conditions.find((c) => c.type === 'Migrated')).toMatchObject({
      status: 'False',
      reason: 'NameTaken',
      message: 'IPAddressPool x/legacy exists',
    });
  });

  test('a condition keeps its lastTransitionTime while its status stays, and moves when it changes', () => {
    const previous = pool();
    const withStatus: AddressPool = {
      ...previous,
      status: {
        conditions: [
          { type: 'Served', status: 'True', reason: 'Served', message: '', lastTransitionTime: EARLIER },
          {
            type: 'Deprecated',
            status: 'True',
            reason: 'Deprecated',
            message: '',
            lastTransitionTime: EARLIER,
          },
        ],
      },
    };
    const next = addressPoolStatus(withStatus, { ...valid, ownErrors: ['bad'] }, NOW).conditions;
    expect(next.find((c) => c.type === 'Deprecated')?.lastTransitionTime).toBe(EARLIER);
    expect(next.find((c) => c.type === 'Served')?.lastTransitionTime).toBe(NOW.toISOString());
  });
});
