// Where the process kubelet's HTTPS server (server.ts) is reached: in loopback placement on 127.0.0.1 at the
// node's own port (nodes share the root namespace), in world placement on port 10250 of the node's namespace,
// through a forwarder there that relays to the server's unix socket in the harness process. The Node object
// advertises the same port and address (nodes.ts), which is where the apiserver dials for `kubectl logs`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APISERVER_KUBELET_CLIENT_USER, type ControlPlane } from '../controlplane';
import { nodeExecutable } from '../net';
import type { ManagedProcess } from '../processes';
import { waitFor } from '../readiness';
import type { ProcessRuntime } from './runtime';
import { startKubeletServer, type LogSource } from './server';

/** The kubelet's default port (KubeletConfiguration.port). */
export const KUBELET_PORT = 10250;

const FORWARDER = path.join(__dirname, '..', 'forwarder.ts');
// sockaddr_un.sun_path is 108 bytes including the terminating NUL.
const MAX_UNIX_PATH = 107;

export interface EndpointNode {
  name: string;
  ipv4: string;
  ipv6?: string;
  kubeletPort?: number;
}

export interface KubeletEndpoint {
  port: number;
  close(): Promise<void>;
}

export async function startKubeletEndpoint(
  cp: ControlPlane,
  node: EndpointNode,
  runtime: ProcessRuntime,
  runDir: string,
  logs: (namespace: string, pod: string, container: string) => LogSource | undefined,
): Promise<KubeletEndpoint> {
  const port = node.kubeletPort ?? KUBELET_PORT;
  const loopback = runtime.kind === 'loopback';
  const ips = [
    node.ipv4,
    ...(node.ipv6 !== undefined ? [node.ipv6] : []),
    ...(loopback ? ['127.0.0.1'] : []),
  ];
  const pair = await cp.issueServingCert(`kubelet-${node.name}`, { dnsNames: [node.name], ips });
  const tls = {
    certPem: fs.readFileSync(pair.certPath, 'utf8'),
    keyPem: fs.readFileSync(pair.keyPath, 'utf8'),
    caPem: cp.caPem,
  };
  const allowedUsers = [APISERVER_KUBELET_CLIENT_USER];
  fs.mkdirSync(runDir, { recursive: true });
  if (loopback) {
    const server = await startKubeletServer({
      tls,
      listen: { host: '127.0.0.1', port },
      logs,
      allowedUsers,
    }).catch((err: unknown) => {
      throw new Error(
        `kubelet ${node.name}: cannot listen on 127.0.0.1:${port} (${String(err)}); in loopback placement give ` +
          'each node its own kubeletPort (freePorts)',
      );
    });
    return { port, close: () => server.close() };
  }
  const socket = path.join(runDir, 'kubelet.sock');
  if (Buffer.byteLength(socket) > MAX_UNIX_PATH)
    throw new Error(`kubelet ${node.name}: socket path ${socket} is longer than ${MAX_UNIX_PATH} bytes`);
  const server = await startKubeletServer({ tls, listen: { path: socket }, logs, allowedUsers });
  const logFile = path.join(runDir, 'endpoint-forwarder.log');
  fs.rmSync(logFile, { force: true });
  let forwarder: ManagedProcess | undefined;
  try {
    // [::] is dual-stack: the node's IPv4 and IPv6 addresses both reach it.
    const fwd = await runtime.spawn(
      `kubelet ${node.name} endpoint`,
      [nodeExecutable(), FORWARDER, `tcp:[::]:${port}=unix:${socket}`],
      { env: {}, logFile },
    );
    forwarder = fwd;
    await waitFor(
      `kubelet ${node.name}: endpoint forwarder listening on ${port}`,
      async () => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').split('\n').includes('ready'),
      { timeoutMs: 15_000, watch: [fwd] },
    );
  } catch (err) {
    await forwarder?.kill();
    await server.close();
    throw err;
  }
  const fwd = forwarder;
  if (fwd === undefined) throw new Error(`kubelet ${node.name}: endpoint forwarder did not start`);
  return {
    port,
    close: async () => {
      await fwd.kill();
      await server.close();
    },
  };
}
