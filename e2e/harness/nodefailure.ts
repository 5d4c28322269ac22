// A simulated node dies and comes back. Death is everything a node's crash takes with it, at once: its pod
// processes get SIGKILL (kill -9), its kubelet stops (so nothing restarts them) and its heartbeats end (so the
// node lifecycle controller marks it unreachable after its grace period). With `linkDown` the node's
// interfaces also go down, so it drops off the simulated network (a pulled cable, a powered-off host), not just
// out of the API. Return undoes all of it: links up, heartbeats resumed, the kubelet starting the node's pods
// afresh, as after a reboot. The SimNode and Kubelet objects stay the same, so whoever holds them (a cluster's
// stop()) still stops what is running.
import type { Kubelet } from './kubelet';
import type { World } from './net';
import type { SimNode } from './nodes';

export interface NodeParts {
  node: SimNode;
  kubelet: Kubelet;
  /** The node's world (needed for `linkDown`); the node's role there is its name. */
  world?: World;
}

export interface KillNodeOptions {
  /** Also set the node namespace's interfaces down (default false). */
  linkDown?: boolean;
}

export interface DeadNode {
  readonly name: string;
  /** The pod processes that were killed. */
  readonly killedPids: readonly number[];
  readonly linkDown: boolean;
  /** The node returns: links up (if they went down), heartbeats, then the kubelet and its pods. */
  returns(): Promise<void>;
}

/** Kills a node: see the file comment. The node's name must be its role in the world for `linkDown`. */
export async function killNode(parts: NodeParts, opts: KillNodeOptions = {}): Promise<DeadNode> {
  const { node, kubelet, world } = parts;
  const linkDown = opts.linkDown ?? false;
  if (linkDown && world === undefined) throw new Error(`killNode ${node.name}: linkDown needs the world`);
  if (kubelet.node.name !== node.name)
    throw new Error(`killNode: kubelet ${kubelet.node.name} does not belong to node ${node.name}`);
  if (kubelet.isDead || !node.beating) throw new Error(`killNode ${node.name}: the node is already dead`);
  const killedPids = kubelet.pids();
  await Promise.all([
    ...(linkDown && world !== undefined ? [world.linkDown(node.name)] : []),
    node.stop(),
    kubelet.kill(),
  ]);
  let returned = false;
  return {
    name: node.name,
    killedPids,
    linkDown,
    returns: async () => {
      if (returned) return;
      returned = true;
      if (linkDown && world !== undefined) await world.linkUp(node.name);
      await node.restart();
      await kubelet.restart();
    },
  };
}
