// The I/O edge of statuspoller.ts: the real vtysh binary against the sidecar's vty sockets (the frr-sockets
// volume), one `-c` per call, bounded in time so a hung daemon cannot pile polls up.
import { execFile } from 'node:child_process';
import type { VtyshRunner } from './statuspoller';

export interface VtyshCommand {
  /** The binary: `vtysh` on PATH unless FRR_VTYSH says otherwise. */
  readonly binary: string;
  /** Where the daemons' `*.vty` sockets are (vtysh --vty_socket). */
  readonly socketDir: string;
  readonly timeoutMs?: number;
}

export function vtyshRunner(cmd: VtyshCommand): VtyshRunner {
  return (command) =>
    new Promise((resolve, reject) => {
      execFile(
        cmd.binary,
        ['--vty_socket', cmd.socketDir, '-c', command],
        {
          timeout: cmd.timeoutMs ?? 10_000,
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, VTYSH_HISTFILE: '/dev/null' },
        },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`${cmd.binary} -c "${command}": ${stderr.trim() || err.message}`));
          else resolve(stdout);
        },
      );
    });
}
