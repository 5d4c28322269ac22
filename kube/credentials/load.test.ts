import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialsError } from './credentials';
import { loadCredentials } from './load';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadcreds-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig whose server names it, so a test can tell which one was taken. */
const kubeconfig = (name: string): string => {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: `https://${name.replace(/\W/g, '-')}` } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
};

const serviceAccount = (): string => {
  const sa = path.join(dir, 'sa');
  fs.mkdirSync(sa);
  fs.writeFileSync(path.join(sa, 'token'), 'sa-token');
  fs.writeFileSync(path.join(sa, 'ca.crt'), 'CA');
  return sa;
};
const podEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('loadCredentials, in loadFromDefault order', () => {
  it('takes --kubeconfig over $KUBECONFIG, ~/.kube/config and the pod', async () => {
    const explicit = kubeconfig('explicit');
    const env = { ...podEnv, KUBECONFIG: kubeconfig('env'), HOME: dir };
    kubeconfig('.kube/config');
    const c = await loadCredentials({ env, kubeconfig: explicit, serviceAccountDir: serviceAccount() });
    expect(c.server).toBe('https://explicit');
  });

  it('takes the $KUBECONFIG list, skipping files that do not exist, over ~/.kube/config', async () => {
    kubeconfig('.kube/config');
    const env = { KUBECONFIG: [path.join(dir, 'absent'), kubeconfig('env')].join(path.delimiter), HOME: dir };
    expect((await loadCredentials({ env })).server).toBe('https://env');
  });

  it('fails when no file of $KUBECONFIG exists, rather than falling back silently', async () => {
    const env = { ...podEnv, KUBECONFIG: path.join(dir, 'absent'), HOME: dir };
    await expect(loadCredentials({ env, serviceAccountDir: serviceAccount() })).rejects.toThrow(
      'none of the $KUBECONFIG files exists',
    );
  });

  it('takes ~/.kube/config over the pod', async () => {
    kubeconfig('.kube/config');
    const c = await loadCredentials({ env: { ...podEnv, HOME: dir }, serviceAccountDir: serviceAccount() });
    expect(c.server).toBe('https://-kube-config');
  });

  it('falls back to the pod ServiceAccount', async () => {
    const c = await loadCredentials({ env: { ...podEnv, HOME: dir }, serviceAccountDir: serviceAccount() });
    expect(c).toMatchObject({ server: 'https://10.96.0.1:443', origin: 'in-cluster' });
    expect(c.bearer?.token()).toBe('sa-token');
  });

  it('fails with a CredentialsError when there is nothing to load', async () => {
    await expect(loadCredentials({ env: { HOME: dir } })).rejects.toBeInstanceOf(CredentialsError);
  });
});
