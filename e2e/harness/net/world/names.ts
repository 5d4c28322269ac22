// Names of everything a network world creates outside its own namespaces. Only namespace names are global
// (one flat list per machine, under /run/netns), so only they carry the per-run prefix; interfaces live inside
// those namespaces and can keep short fixed names (eth0, br0). The prefix is exact and fixed-width, so a
// crashed run's leftovers are found by `name.startsWith('ilb-<id>-')` and never by a loose pattern.
import * as crypto from 'node:crypto';

/** Every namespace the e2e world creates starts with this; scripts/e2e-clean.sh removes nothing else. */
export const NET_PREFIX = 'ilb-';

const RUN_ID = /^[0-9a-f]{6}$/;
const ROLE = /^[a-z][a-z0-9]{0,14}$/;

/** A fresh 6-hex-digit world id. Collisions are checked against the live namespace list before use. */
export function newNetRunId(): string {
  return crypto.randomBytes(3).toString('hex');
}

/** `ilb-<id>`: the prefix shared by every namespace of one world. */
export function worldPrefix(runId: string): string {
  if (!RUN_ID.test(runId))
    throw new Error(`netnames: run id must be 6 lowercase hex digits, got ${JSON.stringify(runId)}`);
  return `${NET_PREFIX}${runId}`;
}

/**
 * `ilb-<id>-<role>`. Roles double as bridge-port names inside the bridge namespace, so they must be valid
 * interface names (at most 15 characters) as well as path components.
 */
export function nsName(runId: string, role: string): string {
  if (!ROLE.test(role)) {
    throw new Error(
      `netnames: role must match ${ROLE.source} (it is also an interface name), got ${JSON.stringify(role)}`,
    );
  }
  return `${worldPrefix(runId)}-${role}`;
}

/** True when `name` belongs to the world with this id (exact prefix plus separator, so ilb-abc123x never matches). */
export function belongsToWorld(name: string, runId: string): boolean {
  return name.startsWith(`${worldPrefix(runId)}-`);
}

/** Node roles are node1..nodeN, in order. */
export function nodeRole(index: number): string {
  if (!Number.isInteger(index) || index < 1)
    throw new Error(`netnames: node index must be a positive integer, got ${index}`);
  return `node${index}`;
}
