// Credentials from kubeconfig files, the subset a controller or speaker run outside a pod needs: the current
// context's cluster (server, certificate-authority or -data, insecure-skip-tls-verify, tls-server-name) and
// user (token, tokenFile, client-certificate/-key or their -data forms, username/password, and client-node's
// `auth-provider: {name: tokenFile}` that the harness's kubelet writes for pods). Anything else a kubeconfig
// can ask for (exec plugins, other auth providers, impersonation, proxies) is refused with a CredentialsError
// naming the file and the field, rather than silently connecting as someone else or not at all.
//
// Several files (a $KUBECONFIG list) merge as in client-go: the first file to define a name wins, and so
// does the first current-context. Relative paths resolve against the file that holds them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ClusterCredentials, CredentialsError, StaticToken, TokenSource } from './credentials';
import { FileTokenSource, FileTokenSourceOptions } from './tokenfile';

const str = z.string().nullish();

const clusterSchema = z.looseObject({
  server: str,
  'certificate-authority': str,
  'certificate-authority-data': str,
  'insecure-skip-tls-verify': z.boolean().nullish(),
  'tls-server-name': str,
  'proxy-url': str,
});

const userSchema = z.looseObject({
  token: str,
  tokenFile: str,
  'client-certificate': str,
  'client-certificate-data': str,
  'client-key': str,
  'client-key-data': str,
  username: str,
  password: str,
  'auth-provider': z
    .looseObject({ name: z.string(), config: z.record(z.string(), z.string()).nullish() })
    .nullish(),
  exec: z.unknown().optional(),
  as: str,
  'as-uid': str,
  'as-groups': z.unknown().optional(),
  'as-user-extra': z.unknown().optional(),
});

const contextSchema = z.looseObject({ cluster: z.string(), user: str, namespace: str });

const kubeconfigSchema = z.looseObject({
  'current-context': str,
  clusters: z.array(z.looseObject({ name: z.string(), cluster: clusterSchema })).nullish(),
  users: z.array(z.looseObject({ name: z.string(), user: userSchema.nullish() })).nullish(),
  contexts: z.array(z.looseObject({ name: z.string(), context: contextSchema })).nullish(),
});
type KubeconfigFile = z.infer<typeof kubeconfigSchema>;

type ClusterEntry = z.infer<typeof clusterSchema>;
type UserEntry = z.infer<typeof userSchema>;
type ContextEntry = z.infer<typeof contextSchema>;

/** One named entry and where it was read. */
interface Located<T> {
  readonly value: T;
  readonly file: string;
  /** e.g. `users[1]`, for errors. */
  readonly at: string;
}

/** The parsed files, merged: what the current context resolves against. */
export interface MergedKubeconfig {
  readonly currentContext?: Located<string>;
  readonly clusters: ReadonlyMap<string, Located<ClusterEntry>>;
  readonly users: ReadonlyMap<string, Located<UserEntry>>;
  readonly contexts: ReadonlyMap<string, Located<ContextEntry>>;
}

const origin = (file: string): string => `kubeconfig ${file}`;

/** Parses one file's text: JSON directly (what the harness writes), YAML through the yaml package, loaded only then. */
export async function parseKubeconfigText(file: string, text: string): Promise<KubeconfigFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    try {
      const yaml = await import('yaml');
      raw = yaml.parse(text);
    } catch (err) {
      throw new CredentialsError(origin(file), '', `not valid YAML: ${String(err)}`);
    }
  }
  // An empty file is an empty kubeconfig, as client-go reads it.
  const parsed = kubeconfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CredentialsError(
      origin(file),
      issue?.path.join('.') ?? '',
      issue?.message ?? 'not a kubeconfig',
    );
  }
  return parsed.data;
}

/** Merges parsed files, earlier files first: the first definition of each name wins. */
export function mergeKubeconfigs(
  files: ReadonlyArray<{ file: string; config: KubeconfigFile }>,
): MergedKubeconfig {
  let currentContext: Located<string> | undefined;
  const clusters = new Map<string, Located<ClusterEntry>>();
  const users = new Map<string, Located<UserEntry>>();
  const contexts: Map<
    string,
    Located<{ cluster: string; user?: string | null; namespace?: string | null }>
  > = new Map();
  for (const { file, config } of files) {
    const current = config['current-context'];
    if (currentContext === undefined && current !== undefined && current !== null && current !== '')
      currentContext = { value: current, file, at: 'current-context' };
    (config.clusters ?? []).forEach((c, i) => {
      if (!clusters.has(c.name)) clusters.set(c.name, { value: c.cluster, file, at: `clusters[${i}]` });
    });
    (config.users ?? []).forEach((u, i) => {
      if (!users.has(u.name)) users.set(u.name, { value: u.user ?? {}, file, at: `users[${i}]` });
    });
    (config.contexts ?? []).forEach((c, i) => {
      if (!contexts.has(c.name))
        contexts.set(c.name, {
          value: c.context,
          file,
          at: `contexts[${i}]`,
        });
    });
  }
  return { ...(currentContext !== undefined ? { currentContext } : {}), clusters, users, contexts };
}

export interface ResolveOptions {
  /** Use this context instead of current-context. */
  readonly context?: string;
  readonly readFile?: (file: string) => string;
  readonly token?: FileTokenSourceOptions;
}

const present = (v: string | null | undefined): v is string => v !== undefined && v !== null && v !== '';

/** The credentials of the current (or the given) context. */
export function resolveKubeconfig(
  config: MergedKubeconfig,
  options: ResolveOptions = {},
): ClusterCredentials {
  const readFile = options.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const firstFile = config.currentContext?.file ?? [...config.contexts.values()][0]?.file ?? '(none)';
  const contextName = options.context ?? config.currentContext?.value;
  if (contextName === undefined)
    throw new CredentialsError(origin(firstFile), 'current-context', 'not set, and no context was given');
  const context = config.contexts.get(contextName);
  if (context === undefined)
    throw new CredentialsError(
      origin(config.currentContext?.file ?? firstFile),
      'current-context',
      `context "${contextName}" is not defined`,
    );
  const cluster = config.clusters.get(context.value.cluster);
  if (cluster === undefined)
    throw new CredentialsError(
      origin(context.file),
      `${context.at}.context.cluster`,
      `cluster "${context.value.cluster}" is not defined`,
    );
  const userName = context.value.user;
  const user = present(userName) ? config.users.get(userName) : undefined;
  if (present(userName) && user === undefined)
    throw new CredentialsError(
      origin(context.file),
      `${context.at}.context.user`,
      `user "${userName}" is not defined`,
    );

  const c = cluster.value;
  const fail = (where: Located<unknown>, field: string, reason: string): never => {
    throw new CredentialsError(origin(where.file), `${where.at}.${field}`, reason);
  };
  const fileOrData = (
    where: Located<unknown>,
    field: string,
    file: string | null | undefined,
    data: string | null | undefined,
  ): string | undefined => {
    if (present(data)) return Buffer.from(data, 'base64').toString('utf8');
    if (!present(file)) return undefined;
    const resolved = path.resolve(path.dirname(where.file), file);
    try {
      return readFile(resolved);
    } catch (err) {
      return fail(where, field, `cannot read ${resolved}: ${String(err)}`);
    }
  };

  if (!present(c.server)) fail(cluster, 'cluster.server', 'missing');
  if (present(c['proxy-url'])) fail(cluster, 'cluster.proxy-url', 'proxies are not supported');
  const caPem = fileOrData(
    cluster,
    'cluster.certificate-authority',
    c['certificate-authority'],
    c['certificate-authority-data'],
  );

  let clientCertPem: string | undefined;
  let clientKeyPem: string | undefined;
  let bearer: TokenSource | undefined;
  let basic: { username: string; password: string } | undefined;
  if (user !== undefined) {
    const u = user.value;
    if (u.exec !== undefined && u.exec !== null)
      fail(
        user,
        'user.exec',
        'exec credential plugins are not supported; use a token, token file or client certificate',
      );
    for (const field of ['as', 'as-uid', 'as-groups', 'as-user-extra'] as const) {
      const v = u[field];
      if (v !== undefined && v !== null && v !== '')
        fail(user, `user.${field}`, 'impersonation is not supported');
    }
    clientCertPem = fileOrData(
      user,
      'user.client-certificate',
      u['client-certificate'],
      u['client-certificate-data'],
    );
    clientKeyPem = fileOrData(user, 'user.client-key', u['client-key'], u['client-key-data']);
    if ((clientCertPem === undefined) !== (clientKeyPem === undefined))
      fail(
        user,
        clientCertPem === undefined ? 'user.client-certificate' : 'user.client-key',
        'a client certificate needs both the certificate and its key',
      );
    const tokenFile = (field: string, file: string): TokenSource => {
      const resolved = path.resolve(path.dirname(user.file), file);
      try {
        return new FileTokenSource(resolved, { readFile, ...options.token });
      } catch (err) {
        return fail(user, field, `cannot read ${resolved}: ${String(err)}`);
      }
    };
    const provider = u['auth-provider'];
    if (provider !== undefined && provider !== null) {
      const file = provider.config?.tokenFile;
      // client-node's own provider: a token file, re-read as it rotates.
      if (provider.name !== 'tokenFile')
        fail(
          user,
          'user.auth-provider.name',
          `auth provider "${provider.name}" is not supported (only tokenFile)`,
        );
      if (!present(file)) fail(user, 'user.auth-provider.config.tokenFile', 'missing');
      else bearer = tokenFile('user.auth-provider.config.tokenFile', file);
    } else if (present(u.tokenFile)) {
      // As client-go: the file, re-read, takes over from a static token.
      bearer = tokenFile('user.tokenFile', u.tokenFile);
    } else if (present(u.token)) {
      bearer = new StaticToken(u.token);
    }
    if (present(u.username) || present(u.password)) {
      if (bearer !== undefined)
        fail(user, 'user.username', 'give either a token or a username and password, not both');
      basic = { username: u.username ?? '', password: u.password ?? '' };
    }
  }
  return {
    server: c.server ?? '',
    ...(caPem !== undefined ? { caPem } : {}),
    insecureSkipTLSVerify: c['insecure-skip-tls-verify'] === true,
    ...(present(c['tls-server-name']) ? { tlsServerName: c['tls-server-name'] } : {}),
    ...(clientCertPem !== undefined ? { clientCertPem } : {}),
    ...(clientKeyPem !== undefined ? { clientKeyPem } : {}),
    ...(bearer !== undefined ? { bearer } : {}),
    ...(basic !== undefined ? { basic } : {}),
    ...(present(context.value.namespace) ? { namespace: context.value.namespace } : {}),
    origin: `${origin(context.file)} (context ${contextName})`,
  };
}

/** Reads, merges and resolves kubeconfig files, as `kubectl --kubeconfig a:b` would. */
export async function loadKubeconfigFiles(
  files: readonly string[],
  options: ResolveOptions = {},
): Promise<ClusterCredentials> {
  const readFile = options.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const parsed = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      throw new CredentialsError(origin(file), '', `cannot read: ${String(err)}`);
    }
    parsed.push({ file, config: await parseKubeconfigText(file, text) });
  }
  return resolveKubeconfig(mergeKubeconfigs(parsed), options);
}
