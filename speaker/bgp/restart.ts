// Whether this speaker counts as restarting, for the R bit of the graceful restart capability (RFC 4724 3:
// "the BGP speaker has restarted"). FRR's rule, which upstream's FRR mode therefore has: every OPEN sent
// within the restart time of the process's start carries R (bgpd/bgp_open.c sets it while bgp->t_startup,
// a timer of restart-time seconds started with the instance, runs). PeerSession narrows it to the first
// session of each peer: a session that drops later in the same process is no restart.
//
// No marker file: R only tells the peer not to wait for our End-of-RIB before sending its own routes (we
// import none), and whether the peer keeps our stale routes depends on the F bit, which is always set; a
// process that starts for the first time and sets R therefore changes nothing. The speaker's root filesystem
// is read-only, and a file in the pod would not outlive the pod replacement a DaemonSet update makes, which
// is the restart graceful restart is for.
import { GRACEFUL_RESTART_TIME } from './sessionspec';

/** True until `restartTime` seconds after `startedAtMs`, read from `now` at each call. */
export function restartWindow(
  startedAtMs: number,
  now: () => number,
  restartTime: number = GRACEFUL_RESTART_TIME,
): () => boolean {
  return () => now() - startedAtMs < restartTime * 1000;
}
