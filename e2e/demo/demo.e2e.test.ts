// `make demo`, checked from outside as a user would check it: e2e/demo/main.ts (what scripts/demo.sh execs once
// the machine is set up) runs until it prints how to use it; its output must show the operator installed from
// the CSV and the MetalLB resource Available before the Services; then the commands it prints are run here, from
// the client namespace (arping answered by one MAC, the elected node's; curl to the EXTERNAL-IP over IPv4 and
// IPv6 and to the BGP Service through the router, answered by a backend), and the router's route has every
// node as a next hop. SIGTERM (what `make demo-down` sends) must stop it and remove its network namespaces.
// Needs root (network namespaces); fails, never skips, without it. About 90 s.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

jest.setTimeout(240_000);

const READY_LINE = 'Stop with Ctrl-C here, or `make demo-down` from another shell.';

let demo: ChildProcess | undefined;
let output = '';
let exited: Promise<number | null> = Promise.resolve(null);

function run(argv: readonly string[]): Promise<string> {
  const [bin = '', ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The `ip netns exec <ns> <command>` line the demo prints for `command` (the "in another shell" list). */
function printedCommand(pattern: RegExp): string[] {
  const line = output.split('\n').find((l) => pattern.test(l));
  if (line === undefined) throw new Error(`the demo printed no command matching ${String(pattern)}`);
  return line
    .replace(/#.*$/, '')
    .replace(/^\s*\$ /, '')
    .trim()
    .split(/\s+/);
}

beforeAll(async () => {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join('e2e', 'demo', 'main.ts')],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  demo = child;
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the demo was not up within 180 s:\n${output}`)),
      180_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${String(code)}) before it was up:\n${output}`));
    });
  });
}, 200_000);

afterAll(async () => {
  if (demo?.exitCode === null) {
    demo.kill('SIGTERM');
    await exited;
  }
});

describe('make demo through the operator', () => {
  test('installs the operator from its CSV and shows the MetalLB resource Available before the Services', () => {
    expect(output).toContain('installing the ironlb operator from bundle/manifests');
    expect(output).toMatch(/operator pod metallb-operator-controller-manager-\S+ Ready on control-plane/);
    const metallb = output.indexOf('$ kubectl -n metallb-system get metallb\n');
    const services = output.indexOf('$ kubectl get svc -o wide');
    expect(metallb).toBeGreaterThan(0);
    expect(services).toBeGreaterThan(metallb);
    expect(output.slice(metallb, services)).toMatch(/^metallb\s+True\s+False\s+False\s/m);
    expect(output.slice(metallb, services)).toContain('Available=True (Available)');
    expect(output).not.toContain('warning:');
  });

  test('from the client, one MAC (the elected node) answers ARP for the EXTERNAL-IP', async () => {
    const arping = await run(printedCommand(/ip netns exec \S+-client arping /));
    const macs = new Set(
      [...arping.matchAll(/bytes from ([0-9a-f:]{17}) /gi)].map((m) => m[1]?.toLowerCase()),
    );
    expect(macs.size).toBe(1);
    const elected = /Answered by: ([0-9a-f:]{17}) \((node\d), the elected node\)/.exec(output);
    expect(elected?.[1]).toBe([...macs][0]);
  });

  test.each([
    ['IPv4', /curl -m 3 http:\/\/192\.0\.2\./],
    ['IPv6', /curl -m 3 http:\/\/\[2001:db8:/],
    ['BGP, through the router', /curl -m 3 http:\/\/203\.0\.113\./],
  ])('from the client, curl to the %s address is answered by a backend', async (_, pattern) => {
    const argv = printedCommand(pattern);
    const body = await run([...argv.slice(0, -1), '-sS', ...argv.slice(-1)]);
    expect(body).toMatch(/^\{"node":"node\d"/);
  });

  test('the router routes the BGP address over every node', () => {
    const route = output.slice(output.indexOf('$ vtysh -c "show ip route'));
    expect(route).toContain('Known via "bgp"');
    expect(new Set([...route.matchAll(/\* (192\.0\.2\.1[1-3]), via/g)].map((m) => m[1])).size).toBe(3);
  });

  test('SIGTERM (what make demo-down sends) stops it and removes its network namespaces', async () => {
    const namespaces = /namespaces {2}(.+)/.exec(output)?.[1]?.trim().split(' ') ?? [];
    expect(namespaces.length).toBeGreaterThan(0);
    demo?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('==> demo stopped');
    const left = await run(['ip', 'netns', 'list']);
    expect(namespaces.filter((ns) => left.includes(ns))).toEqual([]);
  });
});
