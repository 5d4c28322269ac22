import { CredentialsError } from './credentials';
import { inClusterCredentials, isInCluster } from './incluster';

const files =
  (entries: Record<string, string>) =>
  (file: string): string => {
    const content = entries[file];
    if (content === undefined) throw new Error(`ENOENT: ${file}`);
    return content;
  };
const SA = '/sa';
const podEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('inClusterCredentials', () => {
  it('reads server, CA, token and namespace as client-go does', () => {
    const c = inClusterCredentials({
      env: podEnv,
      serviceAccountDir: SA,
      readFile: files({ '/sa/token': 'tok\n', '/sa/ca.crt': 'CA', '/sa/namespace': 'metallb-system\n' }),
    });
    expect(c).toMatchObject({
      server: 'https://10.96.0.1:443',
      caPem: 'CA',
      namespace: 'metallb-system',
      origin: 'in-cluster',
    });
    expect(c.bearer?.token()).toBe('tok');
  });

  it('brackets an IPv6 service host', () => {
    const c = inClusterCredentials({
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: SA,
      readFile: files({ '/sa/token': 't', '/sa/ca.crt': 'CA' }),
    });
    expect(c.server).toBe('https://[fd00::1]:443');
    expect(c.namespace).toBeUndefined();
  });

  it('re-reads the projected token as the kubelet rotates it', () => {
    const entries: Record<string, string> = { '/sa/token': 'old', '/sa/ca.crt': 'CA' };
    let now = 0;
    const c = inClusterCredentials({
      env: podEnv,
      serviceAccountDir: SA,
      readFile: files(entries),
      token: { now: () => now },
    });
    entries['/sa/token'] = 'new';
    now = 60_000;
    expect(c.bearer?.token()).toBe('new');
  });

  it.each([
    [{}, {}, 'KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT'],
    [podEnv, { '/sa/ca.crt': 'CA' }, '/sa/token'],
    [podEnv, { '/sa/token': 't' }, '/sa/ca.crt'],
  ])('fails with a CredentialsError naming what is missing (env %o, files %o)', (env, entries, field) => {
    let err: unknown;
    try {
      inClusterCredentials({ env, serviceAccountDir: SA, readFile: files(entries) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CredentialsError);
    expect(err instanceof CredentialsError && err.field).toBe(field);
  });

  it('tells a pod environment from another', () => {
    expect(isInCluster(podEnv)).toBe(true);
    expect(isInCluster({ KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toBe(false);
  });
});
