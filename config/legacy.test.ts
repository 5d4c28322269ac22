// A migrated AddressPool (operator/legacy/) leaves the configuration to the IPAddressPool of its name: the
// two together, unmarked, are an error; marked, the IPAddressPool alone is pool and advertisement.
import { buildConfig } from './build';

const NS = 'metallb-system';
const addresses = ['192.0.2.0/28'];
const legacy = (annotations: Record<string, string> = {}) => ({
  apiVersion: 'metallb.io/v1alpha1',
  kind: 'AddressPool',
  metadata: { name: 'web', namespace: NS, annotations },
  spec: { protocol: 'layer2', addresses },
});
const modern = [{ metadata: { name: 'web', namespace: NS }, spec: { addresses } }];
const advertisement = { metadata: { name: 'web', namespace: NS }, spec: { ipAddressPools: ['web'] } };

test('an unmarked AddressPool beside the IPAddressPool it was migrated to is a configuration error', () => {
  expect(buildConfig({ addressPools: [legacy()], ipAddressPools: modern }).ok).toBe(false);
});

test('a marked AddressPool is left out: the IPAddressPool and L2Advertisement serve the same pool', () => {
  const result = buildConfig({
    addressPools: [legacy({ 'metallb.io/migrated-to': 'IPAddressPool/web' })],
    ipAddressPools: modern,
    l2Advertisements: [advertisement],
  });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  expect([...result.config.pools.keys()]).toEqual(['web']);
  expect(result.config.l2Advertisements.map((a) => a.name)).toEqual(['web']);
});

test('an unmarked AddressPool alone is its own pool and advertisement', () => {
  const result = buildConfig({ addressPools: [legacy()] });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  expect([...result.config.pools.keys()]).toEqual(['web']);
  expect(result.config.l2Advertisements.map((a) => a.name)).toEqual(['web']);
});
