// What a process needs to reach its API server, as plain data: where the server is, how to trust it and who we
// are. Loaded from a kubeconfig (kubeconfig.ts) or the pod's ServiceAccount (incluster.ts), without
// client-node: importing it costs about 80 MiB of generated model classes, more than the speaker's whole
// budget. clusteraccess.ts turns these into an https.Agent and an Authorization header.

/** A bearer token that may change over time (projected ServiceAccount tokens rotate); read per request. */
export interface TokenSource {
  token(): string;
}

export interface ClusterCredentials {
  /** https://host:port, possibly with a path prefix. */
  readonly server: string;
  /** PEM bundle to trust; the system roots when absent. */
  readonly caPem?: string;
  readonly insecureSkipTLSVerify: boolean;
  /** Overrides the name checked in the server's certificate (kubeconfig tls-server-name). */
  readonly tlsServerName?: string;
  /** PEM client certificate and key, for certificate authentication. */
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly bearer?: TokenSource;
  /** HTTP basic authentication (kubeconfig username/password). */
  readonly basic?: { readonly username: string; readonly password: string };
  /** The namespace of the current context, or the pod's own namespace in-cluster. */
  readonly namespace?: string;
  /** Where these came from, for logs and errors: "kubeconfig /root/.kube/config" or "in-cluster". */
  readonly origin: string;
}

/** Credentials that could not be loaded: which source, which field and why. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';

  constructor(
    /** "kubeconfig /path/file" or "in-cluster". */
    readonly origin: string,
    /** The offending field, e.g. `users[0].user.exec`; empty when the whole source is at fault. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${origin}${field !== '' ? `: ${field}` : ''}: ${reason}`);
  }
}

export class StaticToken implements TokenSource {
  constructor(private readonly value: string) {}
  token(): string {
    return this.value;
  }
}
