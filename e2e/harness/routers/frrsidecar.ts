// The FRR "sidecar" of a speaker in FRR mode, as the speaker DaemonSet runs it (render/frr.ts: the `frr`
// and `reloader` containers), inside a node namespace of the world: zebra, bgpd and bfdd started with a
// config that holds no BGP yet, and a reloader doing what upstream's frr-tools/reloader/frr-reloader.sh does:
// write its pid to <reloader>/reloader.pid, and on SIGHUP check <reloader>/frr.conf with
// `frr-reload.py --test`, apply it with `frr-reload.py --reload --overwrite`, and record
// `<epoch> success|failure` in <reloader>/.status. Every daemon and the reloader run in the private mount
// namespace of frr.ts (the instance's own /etc/frr, /var/run/frr, /var/tmp), so frr-reload.py and vtysh
// find this instance's sockets at FRR's fixed paths and nothing system-wide is written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { World } from '../net';
import { REPO_ROOT } from '../paths';
import type { ManagedProcess } from '../processes';
import { waitFor } from '../readiness';
import {
  chownTree,
  FRR_LIBEXEC,
  inFrrMountNamespace,
  renderFrrWrapper,
  renderZebraConf,
  resolveUser,
} from './frr';

const FRR_RELOAD = path.join(FRR_LIBEXEC, 'frr-reload.py');

/** The reloader the speaker image ships (speaker/Dockerfile copies it to /frr-reloader.sh). */
export const SHIPPED_RELOADER = path.join(REPO_ROOT, 'speaker', 'frr', 'frr-reloader.sh');

/**
 * Which reloader the sidecar runs: `harness` is renderReloaderScript's bash stand-in; `shipped` is
 * speaker/frr/frr-reloader.sh, run by busybox's sh, as in FRR's Alpine image, with
 * SHARED_VOLUME naming the reloader folder; `{ bash }` is another image's reloader script run by bash with
 * SHARED_VOLUME set the same way (upstream MetalLB's frr-tools/reloader/frr-reloader.sh, which calls
 * /usr/lib/frr/frr-reload.py, Debian's path too).
 */
export type SidecarReloader = 'harness' | 'shipped' | { readonly bash: string };

/** The reloader, after upstream's frr-reloader.sh (same files, same checks, one reload at a time). */
export function renderReloaderScript(): string {
  return [
    '#!/bin/bash',
    '# The e2e stand-in for upstream frr-tools/reloader/frr-reloader.sh; runs inside the FRR mount namespace.',
    'set -o pipefail',
    'DIR="$1"',
    'PIDFILE="$DIR/reloader.pid"; FILE="$DIR/frr.conf"; LOCKFILE="$DIR/lock"; STATUSFILE="$DIR/.status"',
    'reload_frr() {',
    '  flock 200',
    '  echo "SIGHUP: reloading $FILE"',
    `  if ! python3 ${FRR_RELOAD} --test --stdout "$FILE" 2>&1 | sed 's/password.*/password <retracted>/g'; then`,
    '    echo -n "$(date +%s) failure" > "$STATUSFILE"; return',
    '  fi',
    `  if ! python3 ${FRR_RELOAD} --reload --overwrite --stdout "$FILE" 2>&1 | sed 's/password.*/password <retracted>/g'; then`,
    '    echo -n "$(date +%s) failure" > "$STATUSFILE"; return',
    '  fi',
    '  echo "reloaded"',
    '  echo -n "$(date +%s) success" > "$STATUSFILE"',
    '} 200<"$LOCKFILE"',
    // On TERM a reload still running finishes first, so none is left behind without its parent.
    'trap \'kill "$sleep_pid" 2>/dev/null; wait; rm -f "$PIDFILE" "$LOCKFILE"; exit\' TERM INT',
    "trap 'reload_frr &' HUP",
    'touch "$LOCKFILE"',
    'printf "$$" > "$PIDFILE"',
    // A trapped HUP ends the wait, not the sleep: it is killed before the next one (upstream's kill_sleep).
    'while true; do sleep infinity & sleep_pid=$!; wait $sleep_pid 2>/dev/null; kill $sleep_pid 2>/dev/null; done',
    '',
  ].join('\n');
}

/** The sidecar's frr.conf before the speaker writes one: upstream's startup file, logging only. */
export function renderStartupConf(hostname: string): string {
  return ['frr defaults traditional', `hostname ${hostname}`, 'log stdout informational', '!', ''].join('\n');
}

export interface FrrSidecar {
  readonly role: string;
  /** The instance folder: etc/, run/ (the vty sockets), tmp/. */
  readonly dir: string;
  /** What the speaker's FRR_VTY_SOCKET_DIR names. */
  readonly socketDir: string;
  /** The reloader's shared folder: frr.conf, reloader.pid, .status (FRR_CONFIG_FILE, FRR_RELOADER_PID_FILE). */
  readonly reloaderDir: string;
  readonly processes: readonly ManagedProcess[];
  vtysh(...commands: string[]): Promise<string>;
  /** argv run in this sidecar's FRR mount namespace: /etc/frr and /var/run/frr are its own, as in its pod. */
  inMountNamespace(argv: string[]): string[];
  /** The reloader's last outcome, `success` or `failure`, as in its .status file. */
  reloadStatus(): string | undefined;
  stop(): Promise<void>;
}

export async function startFrrSidecar(
  world: World,
  role: string,
  opts: { name?: string; timeoutMs?: number; reloader?: SidecarReloader } = {},
): Promise<FrrSidecar> {
  const name = opts.name ?? `frr-sidecar-${role}`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const dir = path.join(world.runDir, name);
  const socketDir = path.join(dir, 'run');
  const reloaderDir = path.join(world.runDir, `${name}-reloader`);
  for (const sub of ['etc', 'run', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.mkdirSync(reloaderDir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc', 'frr.conf'), renderStartupConf(role));
  fs.writeFileSync(path.join(dir, 'etc', 'zebra.conf'), renderZebraConf(role));
  fs.writeFileSync(path.join(dir, 'etc', 'vtysh.conf'), 'service integrated-vtysh-config\n');
  const wrapper = path.join(dir, 'frr-ns.sh');
  fs.writeFileSync(wrapper, renderFrrWrapper(), { mode: 0o755 });
  const reloader = path.join(reloaderDir, 'frr-reloader.sh');
  fs.writeFileSync(reloader, renderReloaderScript(), { mode: 0o755 });
  const frr = resolveUser('frr');
  chownTree(dir, frr.uid, frr.gid);

  const inMountNs = (argv: string[]): string[] => inFrrMountNamespace(wrapper, dir, argv);
  const daemon = (bin: string, args: string[]): string[] =>
    inMountNs([
      path.join(FRR_LIBEXEC, bin),
      ...args,
      '-i',
      `/var/run/frr/${bin}.pid`,
      '--vty_socket',
      '/var/run/frr',
      '-z',
      '/var/run/frr/zserv.api',
    ]);
  const vtysh = async (...commands: string[]): Promise<string> =>
    (
      await world.exec(role, ['vtysh', '--vty_socket', socketDir, ...commands.flatMap((c) => ['-c', c])], {
        timeoutMs: 15_000,
      })
    ).stdout;

  const started: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of [...started].reverse()) await p.stop(5_000);
  };
  try {
    const zebra = await world.spawnIn(role, `${name}-zebra`, daemon('zebra', ['-f', '/etc/frr/zebra.conf']));
    started.push(zebra);
    await waitFor(`${name}: zebra socket`, async () => fs.existsSync(path.join(socketDir, 'zserv.api')), {
      timeoutMs,
      watch: [zebra],
    });
    // bgpd and bfdd read the integrated frr.conf, as in the frr container; bfdd first, for bgpd's `bfd`.
    const bfdd = await world.spawnIn(role, `${name}-bfdd`, daemon('bfdd', ['-f', '/etc/frr/frr.conf']));
    started.push(bfdd);
    const bgpd = await world.spawnIn(
      role,
      `${name}-bgpd`,
      daemon('bgpd', ['-S', '-p', '0', '-f', '/etc/frr/frr.conf']),
    );
    started.push(bgpd);
    await waitFor(
      `${name}: bgpd and bfdd answering vtysh`,
      async () => {
        JSON.parse(await vtysh('show bfd peers json'));
        return (await vtysh('show zebra client summary')).includes('bgp');
      },
      { timeoutMs, watch: [zebra, bfdd, bgpd] },
    );
    const chosen = opts.reloader ?? 'harness';
    const reloaderArgv =
      chosen === 'shipped'
        ? [
            'env',
            `SHARED_VOLUME=${reloaderDir}`,
            `FRR_RELOAD_PY=${FRR_RELOAD}`,
            'busybox',
            'sh',
            SHIPPED_RELOADER,
          ]
        : chosen === 'harness'
          ? [reloader, reloaderDir]
          : ['env', `SHARED_VOLUME=${reloaderDir}`, 'bash', chosen.bash];
    const reloaderProc = await world.spawnIn(role, `${name}-reloader`, inMountNs(reloaderArgv));
    started.push(reloaderProc);
    await waitFor(
      `${name}: reloader pid file`,
      async () => fs.existsSync(path.join(reloaderDir, 'reloader.pid')),
      {
        timeoutMs,
        watch: [reloaderProc],
      },
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    role,
    dir,
    socketDir,
    reloaderDir,
    processes: started,
    vtysh,
    inMountNamespace: inMountNs,
    reloadStatus() {
      try {
        return fs.readFileSync(path.join(reloaderDir, '.status'), 'utf8').split(' ')[1];
      } catch {
        return undefined;
      }
    },
    stop: stopAll,
  };
}
