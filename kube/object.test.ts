import { kubeObjectSchema, objectKey, referenceTo, splitKey } from './object';

describe('objectKey and splitKey', () => {
  it.each([
    [{ metadata: { name: 'web', namespace: 'default' } }, 'default/web'],
    [{ metadata: { name: 'node-1' } }, 'node-1'],
  ])('keys %o as %s and splits it back', (obj, key) => {
    expect(objectKey(obj)).toBe(key);
    expect(splitKey(key)).toEqual(obj.metadata);
  });
});

describe('kubeObjectSchema', () => {
  it('keeps unknown fields', () => {
    const parsed = kubeObjectSchema.parse({ metadata: { name: 'a', extra: 1 }, spec: { x: 2 } });
    expect(parsed).toEqual({ metadata: { name: 'a', extra: 1 }, spec: { x: 2 } });
  });

  it('rejects an object without a name', () => {
    expect(kubeObjectSchema.safeParse({ metadata: {} }).success).toBe(false);
    expect(kubeObjectSchema.safeParse({ kind: 'Service' }).success).toBe(false);
  });
});

describe('referenceTo', () => {
  it('copies the identifying fields only', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', labels: { a: 'b' } },
    };
    expect(referenceTo(svc)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      name: 'web',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '7',
    });
  });
});
