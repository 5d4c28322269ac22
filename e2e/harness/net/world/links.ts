// Building blocks of createWorld(): namespace settings, bridges, veth pairs and the readiness check. Every
// command runs inside one of the world's namespaces (`ip -n`, `ip netns exec`); nothing here can address the
// root namespace.
import { ip, ipJson, setSysctls } from '../exec';
import type { HostPlan, InterfacePlan, WorldPlan } from './plan';
import { waitFor } from '../../readiness';

export interface HostInterface extends InterfacePlan {
  mac: string;
}

export interface Host {
  role: string;
  kind: HostPlan['kind'];
  ns: string;
  interfaces: HostInterface[];
  /** The first interface (eth0, on the lan). */
  primary: HostInterface;
}

// Every namespace: no DAD (addresses usable at once), no router advertisements acted upon, addresses kept when
// a link goes down so tests that flap a link do not have to re-add them.
const COMMON_SYSCTLS = {
  'net.ipv6.conf.all.accept_dad': 0,
  'net.ipv6.conf.default.accept_dad': 0,
  'net.ipv6.conf.all.accept_ra': 0,
  'net.ipv6.conf.default.accept_ra': 0,
  'net.ipv6.conf.all.keep_addr_on_down': 1,
  'net.ipv6.conf.default.keep_addr_on_down': 1,
};
// The bridge namespace only switches frames; without IPv6 on its ports it sends no MLD or router solicitations
// that would show up in the tests' captures.
const BRIDGE_SYSCTLS = { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 };
const ROUTER_SYSCTLS = {
  'net.ipv4.ip_forward': 1,
  'net.ipv6.conf.all.forwarding': 1,
  'net.ipv6.conf.default.forwarding': 1,
  // Clients and nodes share the router's segment; a redirect would make them bypass it and hide routing bugs.
  'net.ipv4.conf.all.send_redirects': 0,
  'net.ipv4.conf.default.send_redirects': 0,
};

interface IpLink {
  ifname: string;
  address?: string;
  operstate?: string;
  flags?: string[];
}

interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  scope?: string;
  tentative?: boolean;
  dadfailed?: boolean;
}

interface IpAddr {
  ifname: string;
  addr_info?: IpAddrInfo[];
}

function hostCommands(h: HostPlan): string[] {
  const cmds: string[] = ['link set lo up'];
  for (const i of h.interfaces) {
    cmds.push(`addr add ${i.v4}/${i.v4Prefix} dev ${i.ifname}`);
    cmds.push(`addr add ${i.v6}/${i.v6Prefix} dev ${i.ifname} nodad`);
    cmds.push(`link set ${i.ifname} up`);
  }
  for (const r of h.routes) cmds.push(`route add ${r.dst} via ${r.via}`);
  return cmds;
}

async function batch(ns: string, commands: string[]): Promise<void> {
  if (commands.length === 0) return;
  await ip(ns, ['-batch', '-'], { input: `${commands.join('\n')}\n` });
}

/** Sysctls of every namespace, then the bridge of every segment. Run before any host interface exists. */
export async function configureNamespaces(plan: WorldPlan): Promise<void> {
  const bridgeNamespaces = plan.segments.map((s) => s.bridgeNs);
  // Before any interface exists, so every interface inherits `default`.
  await Promise.all([
    ...bridgeNamespaces.map((ns) => setSysctls(ns, { ...COMMON_SYSCTLS, ...BRIDGE_SYSCTLS })),
    ...plan.hosts.map((h) =>
      setSysctls(h.ns, h.forwarding ? { ...COMMON_SYSCTLS, ...ROUTER_SYSCTLS } : COMMON_SYSCTLS),
    ),
  ]);
  // mcast_snooping off: the bridge floods multicast like a plain switch, so solicited-node NDP reaches every
  // node whether or not it sent an MLD report (the L2 tests should test our speaker, not the bridge).
  await Promise.all(
    bridgeNamespaces.map((ns) =>
      batch(ns, ['link set lo up', 'link add br0 type bridge mcast_snooping 0', 'link set br0 up']),
    ),
  );
}

/**
 * One veth pair per host interface, created inside the host namespace with its peer sent straight into the
 * segment's bridge namespace; then bridge ports, addresses, links and routes.
 */
export async function wireHosts(plan: WorldPlan): Promise<void> {
  for (const h of plan.hosts) {
    for (const i of h.interfaces) {
      const seg = plan.segments.find((s) => s.name === i.segment);
      if (seg === undefined)
        throw new Error(`network: ${h.role}/${i.ifname} refers to missing segment ${i.segment}`);
      await ip(h.ns, [
        'link',
        'add',
        i.ifname,
        'type',
        'veth',
        'peer',
        'name',
        i.bridgePort,
        'netns',
        seg.bridgeNs,
      ]);
    }
  }
  await Promise.all(
    plan.segments.map((s) => {
      const ports = plan.hosts.flatMap((h) =>
        h.interfaces.filter((i) => i.segment === s.name).map((i) => i.bridgePort),
      );
      return batch(
        s.bridgeNs,
        ports.map((p) => `link set ${p} master br0 up`),
      );
    }),
  );
  await Promise.all(plan.hosts.map((h) => batch(h.ns, hostCommands(h))));
}

/** Polls until every interface of the host has carrier and no tentative IPv6 address, then reads the MACs. */
export async function waitHostReady(h: HostPlan, timeoutMs: number): Promise<Host> {
  const interfaces: HostInterface[] = [];
  await waitFor(
    `network: interfaces of ${h.ns}`,
    async () => {
      const links = await ipJson<IpLink>(h.ns, ['link', 'show']);
      const addrs = await ipJson<IpAddr>(h.ns, ['addr', 'show']);
      interfaces.length = 0;
      for (const i of h.interfaces) {
        const link = links.find((l) => l.ifname === i.ifname);
        if (link === undefined) throw new Error(`${i.ifname} missing`);
        if (!(link.flags ?? []).includes('LOWER_UP'))
          throw new Error(`${i.ifname} has no carrier (${link.operstate ?? '?'})`);
        const info = addrs.find((a) => a.ifname === i.ifname)?.addr_info ?? [];
        const pending = info.filter((a) => a.tentative === true || a.dadfailed === true);
        if (pending.length > 0)
          throw new Error(`${i.ifname} has tentative addresses ${pending.map((a) => a.local).join(', ')}`);
        for (const want of [i.v4, i.v6]) {
          if (!info.some((a) => a.local === want)) throw new Error(`${i.ifname} lacks ${want}`);
        }
        // NDP from the link-local address must work too (ndisc6 and the speaker's NA use it).
        if (!info.some((a) => a.family === 'inet6' && a.scope === 'link'))
          throw new Error(`${i.ifname} has no link-local address yet`);
        if (link.address === undefined) throw new Error(`${i.ifname} has no MAC`);
        interfaces.push({ ...i, mac: link.address });
      }
      return true;
    },
    { timeoutMs },
  );
  const primary = interfaces[0];
  if (primary === undefined) throw new Error(`network: ${h.ns} has no interface`);
  return { role: h.role, kind: h.kind, ns: h.ns, interfaces: [...interfaces], primary };
}

/** Pulls the host's cables: every interface of its namespace goes down (its bridge ports stay up). */
export async function takeHostDown(h: HostPlan): Promise<void> {
  await batch(
    h.ns,
    h.interfaces.map((i) => `link set ${i.ifname} down`),
  );
}

/**
 * Plugs the cables back in: links up, then the routes the kernel dropped with them (it flushes routes through a
 * device that goes down; the addresses stay, keep_addr_on_down), once the links are ready again.
 */
export async function bringHostUp(h: HostPlan, timeoutMs: number): Promise<Host> {
  await batch(
    h.ns,
    h.interfaces.map((i) => `link set ${i.ifname} up`),
  );
  const host = await waitHostReady(h, timeoutMs);
  await batch(
    h.ns,
    h.routes.map((r) => `route replace ${r.dst} via ${r.via}`),
  );
  return host;
}
