// What the speaker's BGP e2e tests (speaker/bgp/gracefulrestart.e2e.test.ts, dualstack.e2e.test.ts) share:
// FRR on the world's router as AS 64512, and testkit/bgp/speakerhost.ts run in a node namespace as AS 64513.
import * as path from 'node:path';
import { nodeExecutable, type World } from '../../e2e/harness/net';
import type { ManagedProcess } from '../../e2e/harness/processes';
import type { BgpNeighbor } from '../../e2e/harness/routers/bgp';
import { type FrrRouter, startFrr } from '../../e2e/harness/routers/frr';

export const ROUTER_AS = 64512;
export const NODE_AS = 64513;

const REPO = path.join(__dirname, '..', '..');

/** FRR on the router, retrying connections every second. */
export function startRouterFrr(w: World, neighbors: BgpNeighbor[]): Promise<FrrRouter> {
  return startFrr(w, 'router', {
    hostname: 'router',
    asn: ROUTER_AS,
    routerId: w.router.primary.v4,
    connectRetry: 1,
    neighbors,
  });
}

export interface SpeakerHost {
  readonly role: string;
  /** A unique process name in the world. */
  readonly name: string;
  readonly peerAddress: string;
  /** speakerhost.ts options: `gr`, `dual`, or `none`. */
  readonly options: string;
  readonly prefixes: readonly string[];
  readonly routesDelayMs: number;
  readonly env?: Record<string, string>;
}

/** Starts speakerhost.ts in `role`'s namespace, with the node's IPv4 address for the router ID. */
export function spawnSpeakerHost(w: World, h: SpeakerHost): Promise<ManagedProcess> {
  return w.spawnIn(
    h.role,
    h.name,
    [
      nodeExecutable(),
      '-r',
      'ts-node/register/transpile-only',
      path.join(REPO, 'testkit', 'bgp', 'speakerhost.ts'),
      w.host(h.role).primary.v4,
      h.peerAddress,
      String(ROUTER_AS),
      String(NODE_AS),
      h.options,
      h.prefixes.join(','),
      String(h.routesDelayMs),
    ],
    { cwd: REPO, ...(h.env !== undefined ? { env: h.env } : {}) },
  );
}
