import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialsError } from './credentials';
import { loadKubeconfigFiles } from './kubeconfig';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: string | object): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A one-context kubeconfig with the given cluster and user bodies. */
const config = (cluster: object, user: object, extra: object = {}): object => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'c', cluster }],
  users: [{ name: 'u', user }],
  contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'ns1' } }],
  'current-context': 'ctx',
  ...extra,
});

const failure = async (files: string[]): Promise<CredentialsError> => {
  const err: unknown = await loadKubeconfigFiles(files).catch((e: unknown) => e);
  if (!(err instanceof CredentialsError)) throw new Error(`expected a CredentialsError, got ${String(err)}`);
  return err;
};

describe('loadKubeconfigFiles', () => {
  it('reads server, CA data, token and namespace of the current context', async () => {
    const file = write(
      'k',
      config(
        { server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA PEM') },
        { token: 'abc' },
      ),
    );
    const c = await loadKubeconfigFiles([file]);
    expect(c).toMatchObject({
      server: 'https://10.0.0.1:6443',
      caPem: 'CA PEM',
      insecureSkipTLSVerify: false,
      namespace: 'ns1',
      origin: `kubeconfig ${file} (context ctx)`,
    });
    expect(c.bearer?.token()).toBe('abc');
  });

  it('reads YAML, with file paths relative to the kubeconfig and client certificate files', async () => {
    write('ca.crt', 'CA FROM FILE');
    write('client.crt', 'CERT');
    write('client.key', 'KEY');
    const file = write(
      'config.yaml',
      [
        'apiVersion: v1',
        'clusters:',
        '- name: c',
        '  cluster: {server: "https://h:6443", certificate-authority: ca.crt, tls-server-name: kubernetes}',
        'users:',
        '- name: u',
        '  user: {client-certificate: client.crt, client-key: ./client.key}',
        'contexts:',
        '- name: ctx',
        '  context: {cluster: c, user: u}',
        'current-context: ctx',
      ].join('\n'),
    );
    expect(await loadKubeconfigFiles([file])).toMatchObject({
      caPem: 'CA FROM FILE',
      tlsServerName: 'kubernetes',
      clientCertPem: 'CERT',
      clientKeyPem: 'KEY',
    });
  });

  it('decodes client-certificate-data and client-key-data, and honours insecure-skip-tls-verify', async () => {
    const file = write(
      'k',
      config(
        { server: 'https://h', 'insecure-skip-tls-verify': true },
        { 'client-certificate-data': b64('C'), 'client-key-data': b64('K') },
      ),
    );
    expect(await loadKubeconfigFiles([file])).toMatchObject({
      insecureSkipTLSVerify: true,
      clientCertPem: 'C',
      clientKeyPem: 'K',
    });
  });

  it("reads client-node's tokenFile auth provider (the harness kubelet's pods) and re-reads the file", async () => {
    const tokenPath = write('token', 'first\n');
    const file = write(
      'k',
      config(
        { server: 'https://h' },
        { 'auth-provider': { name: 'tokenFile', config: { tokenFile: tokenPath } } },
      ),
    );
    let now = 0;
    const c = (await loadKubeconfigFiles([file], { token: { now: () => now, refreshMs: 1000 } })).bearer;
    expect(c?.token()).toBe('first');
    fs.writeFileSync(tokenPath, 'second');
    expect(c?.token()).toBe('first');
    now = 1000;
    expect(c?.token()).toBe('second');
  });

  it('prefers a tokenFile over a static token, as client-go does', async () => {
    write('tok', 'from-file');
    const file = write('k', config({ server: 'https://h' }, { token: 'static', tokenFile: 'tok' }));
    expect((await loadKubeconfigFiles([file])).bearer?.token()).toBe('from-file');
  });

  it('sends basic auth for username and password', async () => {
    const file = write('k', config({ server: 'https://h' }, { username: 'admin', password: 'pw' }));
    expect((await loadKubeconfigFiles([file])).basic).toEqual({ username: 'admin', password: 'pw' });
  });

  it.each([
    [
      { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } },
      'users[0].user.exec',
      'exec',
    ],
    [{ 'auth-provider': { name: 'oidc', config: {} } }, 'users[0].user.auth-provider.name', 'oidc'],
    [
      { 'auth-provider': { name: 'tokenFile', config: {} } },
      'users[0].user.auth-provider.config.tokenFile',
      'missing',
    ],
    [{ token: 't', as: 'someone' }, 'users[0].user.as', 'impersonation'],
    [{ 'client-certificate-data': b64('C') }, 'users[0].user.client-key', 'both'],
    [{ tokenFile: 'no-such-file' }, 'users[0].user.tokenFile', 'cannot read'],
  ])('refuses %o, naming the file and %s', async (user, field, reason) => {
    const file = write('k', config({ server: 'https://h' }, user));
    const err = await failure([file]);
    expect(err.origin).toBe(`kubeconfig ${file}`);
    expect(err.field).toBe(field);
    expect(err.message).toContain(reason);
  });

  it.each([
    [{ server: 'https://h', 'proxy-url': 'http://proxy:3128' }, 'clusters[0].cluster.proxy-url'],
    [{ 'certificate-authority-data': b64('x') }, 'clusters[0].cluster.server'],
    [
      { server: 'https://h', 'certificate-authority': 'missing.crt' },
      'clusters[0].cluster.certificate-authority',
    ],
  ])('refuses cluster %o at %s', async (cluster, field) => {
    const err = await failure([write('k', config(cluster, { token: 't' }))]);
    expect(err.field).toBe(field);
  });

  it('names an undefined context, cluster or user', async () => {
    const base = config({ server: 'https://h' }, { token: 't' });
    expect((await failure([write('a', { ...base, 'current-context': 'other' })])).message).toContain(
      'context "other" is not defined',
    );
    expect(
      (
        await failure([
          write('b', { ...base, contexts: [{ name: 'ctx', context: { cluster: 'x', user: 'u' } }] }),
        ])
      ).field,
    ).toBe('contexts[0].context.cluster');
    expect(
      (
        await failure([
          write('c', { ...base, contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'y' } }] }),
        ])
      ).field,
    ).toBe('contexts[0].context.user');
    expect((await failure([write('d', { ...base, 'current-context': '' })])).field).toBe('current-context');
  });

  it('refuses text that is neither JSON nor YAML, and a malformed entry, naming the file', async () => {
    const bad = write('bad', 'clusters: [unclosed');
    expect((await failure([bad])).message).toContain(`kubeconfig ${bad}: not valid YAML`);
    expect((await failure([write('worse', { clusters: [{ cluster: {} }] })])).field).toBe('clusters.0.name');
  });

  it('merges several files: the first current-context and the first definition of each name win', async () => {
    const first = write('first', {
      'current-context': 'ctx',
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      users: [{ name: 'u', user: { token: 'from-first' } }],
    });
    const second = write('second', {
      'current-context': 'elsewhere',
      clusters: [{ name: 'c', cluster: { server: 'https://second' } }],
      users: [{ name: 'u', user: { token: 'from-second' } }],
    });
    const c = await loadKubeconfigFiles([first, second]);
    expect(c.server).toBe('https://second');
    expect(c.bearer?.token()).toBe('from-first');
  });
});
