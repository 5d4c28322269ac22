// FRR mode's stand-in for the native sessions (`../app/bgpsessions.ts`): the BGP reconciler drives it through
// the same sync / setRoutes / peers face, and instead of opening sessions it keeps the peers and their routes
// and renders the node's whole frr.conf from them (render.ts) for the reloader sidecar (reload.ts). Upstream
// internal/bgp/frr/frr.go does the same: every session change rebuilds the config and schedules a reload.
import type { BFDProfile, Peer } from '../../config/types';
import type { LogLevel } from '../../kube/log';
import type { Route } from '../bgp/session/session';
import { renderFrrConfig, type FrrLogLevel } from './render';

export interface FrrSessionsOptions {
  /** `hostname` in frr.conf. */
  readonly hostname: string;
  readonly logLevel: LogLevel;
  /** FRR_LOGGING_LEVEL: FRR's level name over logLevel's. */
  readonly frrLogLevel?: FrrLogLevel;
  /** Gets every rendered text; debounces and skips unchanged ones (reload.ts FrrReloader). */
  readonly reloader: { set(text: string): void; stop(): void };
}

export class FrrSessions {
  private readonly peersByName = new Map<string, Peer>();
  private readonly routes = new Map<string, readonly Route[]>();
  private bfdProfiles: readonly BFDProfile[] = [];
  private extras = '';
  /** Whether a render is queued: a flush sets every peer's routes in one turn, rendered once. */
  private isRenderQueued = false;
  /** Nothing is rendered before the first sync: an empty frr.conf would drop the sidecar's sessions. */
  private hasSynced = false;
  private stopped = false;

  constructor(private readonly opts: FrrSessionsOptions) {}

  /** The BGPPeers selecting this node, by name, as the native manager names its sessions. */
  peers(): string[] {
    return [...this.peersByName.keys()].sort();
  }

  /** The BGPPeers frr.conf holds, as last synced. */
  syncedPeers(): Peer[] {
    return [...this.peersByName.values()];
  }

  /** Every BFD profile of the config: upstream renders them all, referenced or not. */
  setBfdProfiles(profiles: readonly BFDProfile[]): void {
    this.bfdProfiles = profiles;
    if (this.hasSynced) this.queueRender();
  }

  /** The `bgpextras` ConfigMap's text (extras.ts), appended to frr.conf; '' for none. */
  setExtras(text: string): void {
    if (text === this.extras) return;
    this.extras = text;
    if (this.hasSynced) this.queueRender();
  }

  /** The peers now; returns the names new since the last call (their routes are due, as for new sessions). */
  sync(peers: readonly Peer[]): string[] {
    const before = new Set(this.peersByName.keys());
    this.peersByName.clear();
    for (const p of peers) this.peersByName.set(p.name, p);
    for (const name of this.routes.keys()) if (!this.peersByName.has(name)) this.routes.delete(name);
    this.hasSynced = true;
    this.queueRender();
    return [...this.peersByName.keys()].filter((n) => !before.has(n));
  }

  setRoutes(peer: string, routes: readonly Route[]): void {
    if (!this.peersByName.has(peer)) return;
    this.routes.set(peer, routes);
    this.queueRender();
  }

  /** The text as it stands now (what the next reload writes). */
  render(): string {
    return renderFrrConfig({
      hostname: this.opts.hostname,
      logLevel: this.opts.logLevel,
      ...(this.opts.frrLogLevel !== undefined ? { frrLogLevel: this.opts.frrLogLevel } : {}),
      peers: [...this.peersByName.values()],
      routes: this.routes,
      bfdProfiles: this.bfdProfiles,
      extras: this.extras,
    });
  }

  /**
   * Stops handing configs over. FRR keeps the last one and its sessions: as upstream, a speaker restart does
   * not withdraw routes from the sidecar, which runs on in the Pod until the Pod itself stops.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.opts.reloader.stop();
    return Promise.resolve();
  }

  /** Same as stop: the sidecar's bgpd, not the speaker, closes the sessions when the Pod goes. */
  shutdown(): Promise<void> {
    return this.stop();
  }

  private queueRender(): void {
    if (this.isRenderQueued || this.stopped) return;
    this.isRenderQueued = true;
    queueMicrotask(() => {
      this.isRenderQueued = false;
      if (!this.stopped) this.opts.reloader.set(this.render());
    });
  }
}
