// What a SIGTERM means for the BGP sessions: a restart of the speaker, after which the same node peers again
// within the restart time, or a drain, after which it will not. Pure.
//
// Upstream (design/gracefulrestart-bgp.md, "When GR is Triggered" and "GR and Cordoned Node"): a speaker
// pod's stop is a restart, FRR closes TCP and the peer keeps the routes stale; a drained node is cordoned,
// its DaemonSet pod keeps running (kubectl drain --ignore-daemonsets), and its routes are withdrawn. Here the
// Node's state at the stop tells them apart: a cordoned Node (spec.unschedulable), one labelled
// node.kubernetes.io/exclude-from-external-load-balancers (unless --ignore-exclude-lb), or a Node that is
// gone is being taken out of service, so its routes should move now rather than linger stale for 120 s.
import { EXCLUDE_LB_LABEL } from '../election/announce';

export type StopKind = 'restart' | 'drain';

export interface StopDecision {
  readonly kind: StopKind;
  readonly reason: string;
}

export function stopKindFor(
  node: { readonly labels: Readonly<Record<string, string>>; readonly unschedulable: boolean } | undefined,
  ignoreExcludeLB: boolean,
): StopDecision {
  if (node === undefined) return { kind: 'drain', reason: 'the Node object is gone' };
  if (node.unschedulable) return { kind: 'drain', reason: 'the Node is cordoned' };
  if (!ignoreExcludeLB && EXCLUDE_LB_LABEL in node.labels)
    return { kind: 'drain', reason: `the Node is labelled ${EXCLUDE_LB_LABEL}` };
  return { kind: 'restart', reason: 'the Node stays in service' };
}
