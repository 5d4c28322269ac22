// The management host of a network world: a namespace with one leg on the world's lan bridge, where the control
// plane runs in world mode (worldPlacement). Kept beside the control plane rather than in netplan.ts because
// only the control plane uses it; if the network module grows a `mgmt` host kind, this file shrinks to a
// lookup of that host.
//
// Like the rest of the world it creates nothing in the root namespace: the veth pair is created inside the
// bridge namespace with its peer sent straight into the management namespace.
import { assertTestIp } from './cidr';
import { registerCleanup } from './netcleanup';
import { ip, ipJson, namespacePids, setSysctls } from './netexec';
import { nsName } from './netnames';
import { LAN } from './netplan';
import type { World } from './network';
import { waitFor } from './readiness';
import { parseStrictCidr } from './cidr';

export interface ManagementHost {
  netns: string;
  ipv4: string;
  ipv6: string;
  /** Deletes the namespace (after making sure nothing still runs in it). Idempotent. */
  remove(): Promise<void>;
}

export interface ManagementHostOptions {
  /** Default 192.0.2.2 and 2001:db8:1::2: on the lan, unused by netplan (router .1, nodes .11+, client .100). */
  ipv4?: string;
  ipv6?: string;
  readyTimeoutMs?: number;
}

interface IpAddr {
  ifname: string;
  flags?: string[];
  addr_info?: { local: string; tentative?: boolean }[];
}

/**
 * The world's management host: the one the network module built (`createWorld({ management: true })`), or else
 * one added here.
 */
export async function addManagementHost(
  world: World,
  opts: ManagementHostOptions = {},
): Promise<ManagementHost> {
  const built = world.management;
  if (built !== undefined) {
    // Owned by the world: world.destroy() removes it.
    return {
      netns: built.ns,
      ipv4: built.primary.v4,
      ipv6: built.primary.v6,
      remove: () => Promise.resolve(),
    };
  }
  const ipv4 = opts.ipv4 ?? '192.0.2.2';
  const ipv6 = opts.ipv6 ?? '2001:db8:1::2';
  assertTestIp(ipv4);
  assertTestIp(ipv6);
  const taken = world.hosts.flatMap((h) => h.interfaces.flatMap((i) => [i.v4, i.v6]));
  if (taken.includes(ipv4) || taken.includes(ipv6)) {
    throw new Error(`management host: ${ipv4}/${ipv6} clashes with a host of world ${world.prefix}`);
  }
  const lan = world.plan.segments.find((s) => s.name === 'lan');
  if (lan === undefined) throw new Error(`management host: world ${world.prefix} has no lan segment`);
  const netns = nsName(world.runId, 'mgmt');
  let created = false;
  let removed = false;
  const unregister = registerCleanup({
    pids: () => [],
    namespaces: () => (created && !removed ? [netns] : []),
  });

  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    // Processes started in the namespace belong to the control plane, which stops them first; anything left
    // would be ours too, so end it by PID before the namespace goes.
    for (const pid of await namespacePids(netns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    if (created) await ip(undefined, ['netns', 'del', netns], { allowFailure: true });
    unregister();
  };

  try {
    await ip(undefined, ['netns', 'add', netns]);
    created = true;
    await setSysctls(netns, {
      'net.ipv6.conf.all.accept_dad': 0,
      'net.ipv6.conf.default.accept_dad': 0,
      'net.ipv6.conf.all.accept_ra': 0,
      'net.ipv6.conf.default.accept_ra': 0,
    });
    await ip(netns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'mgmt', 'netns', lan.bridgeNs]);
    await ip(lan.bridgeNs, ['link', 'set', 'mgmt', 'master', 'br0', 'up']);
    const v4Prefix = parseStrictCidr(LAN.v4).prefix;
    const v6Prefix = parseStrictCidr(LAN.v6).prefix;
    await ip(netns, ['-batch', '-'], {
      input: [
        'link set lo up',
        `addr add ${ipv4}/${v4Prefix} dev eth0`,
        `addr add ${ipv6}/${v6Prefix} dev eth0 nodad`,
        'link set eth0 up',
        '',
      ].join('\n'),
    });
    await waitFor(
      `management host ${netns} eth0 up`,
      async () => {
        const addrs = await ipJson<IpAddr>(netns, ['addr', 'show', 'dev', 'eth0']);
        const eth0 = addrs[0];
        const info = eth0?.addr_info ?? [];
        return (
          (eth0?.flags ?? []).includes('LOWER_UP') &&
          [ipv4, ipv6].every((a) => info.some((i) => i.local === a && i.tentative !== true))
        );
      },
      { timeoutMs: opts.readyTimeoutMs ?? 20_000 },
    );
    return { netns, ipv4, ipv6, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
