// The management host of a network world: the namespace with one leg on the world's lan bridge where the
// control plane runs in world mode (worldPlacement). The network module builds and removes it
// (`createWorld({ management: true })`); this is the control plane's view of it.
import type { World } from '../net';

export interface ManagementHost {
  netns: string;
  ipv4: string;
  ipv6: string;
}

export function managementHost(world: World): ManagementHost {
  const built = world.management;
  if (built === undefined) {
    throw new Error(
      `world ${world.prefix} has no management host: create it with createWorld({ management: true })`,
    );
  }
  return { netns: built.ns, ipv4: built.primary.v4, ipv6: built.primary.v6 };
}
