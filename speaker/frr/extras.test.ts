import { decodeBgpExtras, nativeExtrasError } from './extras';

describe('decodeBgpExtras', () => {
  it('reads data.extras, and no text when the key or data is absent', () => {
    const meta = { metadata: { name: 'bgpextras', namespace: 'metallb-system' } };
    expect(decodeBgpExtras({ ...meta, data: { extras: 'router bgp 64513\n' } }).extras).toBe(
      'router bgp 64513\n',
    );
    expect(decodeBgpExtras({ ...meta, data: { other: 'x' } }).extras).toBe('');
    expect(decodeBgpExtras(meta).extras).toBe('');
  });
  it('refuses an object without a name, as every informer decoder does', () => {
    expect(() => decodeBgpExtras({ metadata: {} })).toThrow();
  });
});

describe('nativeExtrasError', () => {
  it("names the ConfigMap, the key and upstream's reason", () => {
    expect(nativeExtrasError('metallb-system')).toBe(
      'ConfigMap metallb-system/bgpextras: data.extras: bgp extra info not supported in native mode',
    );
  });
});
