// The speaker's BGP and BFD sessions, loaded when the first BGPPeer selects this node. Their modules (the TCP
// session, FSM, codecs, BFD's UDP and BPF sockets) cost about 3 MiB of RSS, which a Layer 2 only cluster, most
// MetalLB installs, would otherwise pay on every node for nothing (README "Memory"). Until then the speaker
// has no sessions, which is exactly what an empty peer list asks for.
import type { Peer } from '../../config/types';
import type { BfdManager, BfdManagerOptions } from '../bfd/manager';
import type { BGPSessionManager, SessionManagerOptions } from '../bgp/manager';
import type { Route } from '../bgp/session/session';
import type { StopKind } from '../bgp/stopkind';

type Loaded = { readonly bgp: BGPSessionManager; readonly bfd: BfdManager };

export interface LazyBgpOptions {
  /** Everything but the R bit's rule, which needs the process start time. */
  readonly bgp: Omit<SessionManagerOptions, 'restarting'>;
  readonly bfd: Omit<BfdManagerOptions, 'onDown'>;
  /** When this process started (clock ms): graceful restart's R bit counts from it (bgp/restart.ts). */
  readonly startedAt: number;
  readonly now: () => number;
}

export class LazyBgpSessions {
  private loaded: Loaded | undefined;

  constructor(private readonly opts: LazyBgpOptions) {}

  /** Whether the BGP modules are loaded (a BGPPeer has selected this node since the start). */
  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  peers(): string[] {
    return this.loaded?.bgp.peers() ?? [];
  }

  /** BFD first, so that a session's BFD exists before its BGP session can come up. */
  sync(peers: readonly Peer[]): string[] {
    if (this.loaded === undefined && peers.length === 0) return [];
    const { bgp, bfd } = this.load();
    bfd.sync(peers);
    return bgp.sync(peers);
  }

  setRoutes(peer: string, routes: readonly Route[]): void {
    this.loaded?.bgp.setRoutes(peer, routes);
  }

  // BFD stops after BGP in both: a graceful shutdown's wait keeps BFD up, and AdminDown is no failure
  // (RFC 5882 3.2).

  /** Every session closes with a Cease at once. */
  async stop(): Promise<void> {
    if (this.loaded === undefined) return;
    await this.loaded.bgp.stop();
    this.loaded.bfd.stop();
  }

  /** The process is told to stop: a restart or a drain, as BGPSessionManager.shutdown says. */
  async shutdown(kind: StopKind, waitMs: number): Promise<void> {
    if (this.loaded === undefined) return;
    await this.loaded.bgp.shutdown(kind, waitMs);
    this.loaded.bfd.stop();
  }

  private load(): Loaded {
    if (this.loaded !== undefined) return this.loaded;
    // Synchronous on purpose: the reconciler asks for sessions now. CommonJS require is what `import` compiles
    // to here anyway; only the moment differs.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { BGPSessionManager: Manager } = require('../bgp/manager') as typeof import('../bgp/manager');
    const { BfdManager: Bfd } = require('../bfd/manager') as typeof import('../bfd/manager');
    const { restartWindow } = require('../bgp/restart') as typeof import('../bgp/restart');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const bgp = new Manager({
      ...this.opts.bgp,
      restarting: restartWindow(this.opts.startedAt, this.opts.now),
    });
    const bfd = new Bfd({ ...this.opts.bfd, onDown: (peer) => bgp.bfdDown(peer) });
    this.loaded = { bgp, bfd };
    return this.loaded;
  }
}
