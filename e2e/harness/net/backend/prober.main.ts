// A client that sends continuously, as the failover benchmark's user would: it opens a new HTTP connection to
// the address every --interval ms whether or not the earlier ones finished, each with its own --timeout, and
// prints one line per request: `ok <startMs> <endMs> <node>` or `fail <startMs> <endMs> <reason>` (epoch ms).
// Sequential tries would hide the outage's end behind the try that was in flight when the owner died (a SYN to
// a dead MAC is retried only after TCP's 1 s initial RTO). Run by Node 24 directly (built-ins only).
//
// Usage: node prober.main.ts --ip 192.0.2.192 --port 8080 --interval 20 --timeout 1000
import * as http from 'node:http';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`missing ${name}`);
  return v;
}

const ip = arg('--ip');
const port = Number(arg('--port'));
const intervalMs = Number(arg('--interval'));
const timeoutMs = Number(arg('--timeout'));
const host = ip.includes(':') ? `[${ip}]` : ip;

function probe(): void {
  const start = Date.now();
  let done = false;
  const finish = (line: string): void => {
    if (done) return;
    done = true;
    process.stdout.write(`${line}\n`);
  };
  const req = http.get(
    { host: ip, port, path: '/', agent: false, timeout: timeoutMs, headers: { host } },
    (res) => {
      const node = String(res.headers['x-node'] ?? '?');
      res.resume();
      res.on('end', () =>
        finish(
          res.statusCode === 200
            ? `ok ${start} ${Date.now()} ${node}`
            : `fail ${start} ${Date.now()} http-${res.statusCode}`,
        ),
      );
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => finish(`fail ${start} ${Date.now()} ${err.message.replace(/\s+/g, '-')}`));
}

process.stdout.write(`probing ${host}:${port} every ${intervalMs}ms\n`);
setInterval(probe, intervalMs);
