import { NET_PREFIX, belongsToWorld, newNetRunId, nodeRole, nsName, worldPrefix } from './names';

describe('netnames', () => {
  test('run ids are 6 lowercase hex digits and vary', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newNetRunId()));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{6}$/);
    expect(ids.size).toBeGreaterThan(45);
  });

  test('namespace names are prefix, run id and role', () => {
    expect(NET_PREFIX).toBe('ilb-');
    expect(worldPrefix('a1b2c3')).toBe('ilb-a1b2c3');
    expect(nsName('a1b2c3', 'node1')).toBe('ilb-a1b2c3-node1');
    expect(nsName('a1b2c3', 'lan')).toBe('ilb-a1b2c3-lan');
  });

  test('rejects run ids and roles that could widen the prefix or break interface names', () => {
    for (const bad of ['', 'A1B2C3', 'a1b2c', 'a1b2c3d', 'a1b2c-', '../x'])
      expect(() => worldPrefix(bad)).toThrow(/run id/);
    for (const bad of ['', 'Node1', 'node-1', '1node', 'averyveryverylongrole', 'a b']) {
      expect(() => nsName('a1b2c3', bad)).toThrow(/role/);
    }
  });

  test('membership needs the exact prefix and separator', () => {
    expect(belongsToWorld('ilb-a1b2c3-node1', 'a1b2c3')).toBe(true);
    expect(belongsToWorld('ilb-a1b2c3x-node1', 'a1b2c3')).toBe(false);
    expect(belongsToWorld('ilb-a1b2c3', 'a1b2c3')).toBe(false);
    expect(belongsToWorld('xilb-a1b2c3-node1', 'a1b2c3')).toBe(false);
  });

  test('node roles count from one', () => {
    expect(nodeRole(1)).toBe('node1');
    expect(nodeRole(12)).toBe('node12');
    expect(() => nodeRole(0)).toThrow();
    expect(() => nodeRole(1.5)).toThrow();
  });
});
