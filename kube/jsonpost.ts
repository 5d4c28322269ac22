// The JSON-over-POST exchange both webhook servers (the controller's and the operator's) speak with the API
// server: POST only, a bounded body, JSON in and JSON out, a 400 for a body that is not JSON and a 500 (logged)
// for a handler that throws. What the body means is the caller's `handle`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './log';
import { describeError } from './errors';

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

export interface JsonPostOptions {
  /** Larger request bodies get a 413 (the API server sends at most 3 MiB objects). */
  readonly maxBytes: number;
  readonly logger: Logger;
  /** `path` is the request's path without its query. */
  readonly handle: (path: string, body: unknown) => JsonReply | Promise<JsonReply>;
}

export async function serveJsonPost(
  req: IncomingMessage,
  res: ServerResponse,
  opts: JsonPostOptions,
): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  try {
    if (req.method !== 'POST') return reply(405, { error: 'POST only' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buf.length;
      if (size > opts.maxBytes) return reply(413, { error: 'request too large' });
      chunks.push(buf);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(400, { error: 'body is not JSON' });
    }
    const out = await opts.handle(new URL(req.url ?? '/', 'https://webhook').pathname, body);
    reply(out.status, out.body);
  } catch (err) {
    opts.logger.error('webhook request failed', { path: req.url, error: describeError(err) });
    if (!res.headersSent) reply(500, { error: 'internal error' });
    else res.end();
  }
}
