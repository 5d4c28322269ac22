// The process kubelet's HTTPS endpoint (port 10250 on a real node): /healthz and the container-logs endpoint the
// apiserver calls for `kubectl logs`. Clients must present a certificate signed by the cluster CA (the
// apiserver's --kubelet-client-certificate, or an admin's); the kubelet's own serving certificate is issued by
// the same CA, so the apiserver verifies it with --kubelet-certificate-authority.
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { log } from '../log';
import {
  LogsRequestError,
  parseContainerLogsRequest,
  tailLines,
  type ContainerLogsRequest,
} from './containerlogs';

export interface LogSource {
  /** stdout and stderr of the container, as the kubelet writes them. */
  file: string;
  /** Whether the container still runs (a follow ends once it does not and the file has been read to its end). */
  running(): boolean;
}

export interface KubeletServerOptions {
  tls: { certPem: string; keyPem: string; caPem: string };
  /** A TCP address, or a unix socket that a forwarder in the node's namespace connects to. */
  listen: { host: string; port: number } | { path: string };
  logs(namespace: string, pod: string, container: string): LogSource | undefined;
  /** Client certificate users (CN) allowed in, besides members of system:masters. */
  allowedUsers: readonly string[];
  /** How often a follow looks for new output (default 200 ms). */
  followPollMs?: number;
}

export interface KubeletServer {
  close(): Promise<void>;
}

function peerIdentity(socket: TLSSocket): { user: string; groups: string[] } {
  const subject = socket.getPeerCertificate().subject as
    Record<string, string | string[] | undefined> | undefined;
  const cn = subject?.CN;
  const o = subject?.O;
  return {
    user: Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? ''),
    groups: o === undefined ? [] : Array.isArray(o) ? o : [o],
  };
}

function readFrom(file: string, offset: number): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const pollMs = opts.followPollMs ?? 200;
  const follows = new Set<() => void>();

  const serveLogs = (req: ContainerLogsRequest, res: import('node:http').ServerResponse): void => {
    const src = opts.logs(req.namespace, req.pod, req.container);
    if (src === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`container ${req.container} of pod ${req.namespace}/${req.pod} is not known on this node\n`);
      return;
    }
    let budget = req.limitBytes ?? Infinity;
    const send = (chunk: Buffer): void => {
      const part = chunk.subarray(0, Math.min(chunk.length, budget));
      budget -= part.length;
      if (part.length > 0) res.write(part);
    };
    const first = readFrom(src.file, 0);
    let offset = first.length;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    send(tailLines(first, req.tailLines));
    if (!req.follow || budget <= 0) {
      res.end();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      follows.delete(finish);
      res.end();
    };
    follows.add(finish);
    res.on('close', () => {
      clearTimeout(timer);
      follows.delete(finish);
    });
    const poll = (): void => {
      // Read the running flag before the file: output written just before the exit is still picked up.
      const running = src.running();
      const more = readFrom(src.file, offset);
      offset += more.length;
      send(more);
      if (budget <= 0 || (!running && more.length === 0)) finish();
      else timer = setTimeout(poll, pollMs);
    };
    timer = setTimeout(poll, pollMs);
  };

  const server = https.createServer(
    {
      cert: opts.tls.certPem,
      key: opts.tls.keyPem,
      ca: opts.tls.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const who = peerIdentity(req.socket as TLSSocket);
      if (!opts.allowedUsers.includes(who.user) && !who.groups.includes('system:masters')) {
        res.writeHead(403, { 'Content-Type': 'text/plain' });
        res.end(`user ${who.user} may not use the kubelet API\n`);
        return;
      }
      const url = req.url ?? '/';
      if (req.method !== 'GET') {
        res.writeHead(405, { 'Content-Type': 'text/plain' });
        res.end('only GET is served\n');
        return;
      }
      if (url === '/healthz' || url.startsWith('/healthz?')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      try {
        serveLogs(parseContainerLogsRequest(url), res);
      } catch (err) {
        const status = err instanceof LogsRequestError ? err.status : 500;
        if (status === 500) log.warn(`kubelet server: ${url}: ${String(err)}`);
        if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(`${err instanceof Error ? err.message : String(err)}\n`);
      }
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('path' in opts.listen) {
      fs.rmSync(opts.listen.path, { force: true });
      server.listen({ path: opts.listen.path }, () => resolve());
    } else {
      server.listen({ host: opts.listen.host, port: opts.listen.port, exclusive: true }, () => resolve());
    }
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const f of [...follows]) f();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
