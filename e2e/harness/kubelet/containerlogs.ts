// The kubelet's container-logs request, as the apiserver sends it for `kubectl logs` (pod log REST,
// pkg/registry/core/pod/strategy.go LogLocation): GET /containerLogs/{namespace}/{pod}/{container} with the
// PodLogOptions as query parameters. Pure, so what is accepted and refused is pinned by unit tests.
//
// The process kubelet keeps one file per container with the raw stdout/stderr of every run, and no time per
// line: `timestamps`, `sinceSeconds`/`sinceTime` and `previous` cannot be answered truthfully, so they are
// refused (400) rather than ignored.

export interface ContainerLogsRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  /** Only the last N lines (undefined: all). */
  tailLines: number | undefined;
  /** At most this many bytes (undefined: no limit). */
  limitBytes: number | undefined;
}

export class LogsRequestError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const PATH = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/;

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new LogsRequestError(400, `${name}: expected true or false, got ${JSON.stringify(v)}`);
}

function count(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw new LogsRequestError(400, `${name}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Parses a request URL (path and query); throws LogsRequestError for anything not served. */
export function parseContainerLogsRequest(url: string): ContainerLogsRequest {
  const u = new URL(url, 'https://kubelet.invalid');
  const m = PATH.exec(u.pathname);
  if (m === null) throw new LogsRequestError(404, `no such endpoint ${u.pathname}`);
  const [namespace, pod, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
  const q = u.searchParams;
  for (const name of ['timestamps', 'previous']) {
    if (flag(q, name))
      throw new LogsRequestError(
        400,
        `${name}=true is not supported: the process kubelet keeps no per-line times`,
      );
  }
  for (const name of ['sinceSeconds', 'sinceTime']) {
    if (q.has(name))
      throw new LogsRequestError(
        400,
        `${name} is not supported: the process kubelet keeps no per-line times`,
      );
  }
  return {
    namespace: namespace ?? '',
    pod: pod ?? '',
    container: container ?? '',
    follow: flag(q, 'follow'),
    tailLines: count(q, 'tailLines'),
    limitBytes: count(q, 'limitBytes'),
  };
}

/** The last `lines` lines of `text` (a final line without newline counts as a line). */
export function tailLines(text: Buffer, lines: number | undefined): Buffer {
  if (lines === undefined) return text;
  if (lines === 0) return Buffer.alloc(0);
  // Skip a trailing newline: it ends the last line rather than starting an empty one.
  let end = text.length;
  if (end > 0 && text[end - 1] === 0x0a) end--;
  let seen = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (text[i] === 0x0a) {
      seen++;
      if (seen === lines) return text.subarray(i + 1);
    }
  }
  return text;
}
