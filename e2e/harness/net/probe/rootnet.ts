// A read-only fingerprint of the root namespace's links, addresses and routes, so tests can prove the world
// never touched the host's network. Only stable facts are kept (names, addresses, prefixes, gateways): link
// statistics and timers change on their own.
import { ipJson } from '../exec';

interface Link {
  ifname: string;
  link_type?: string;
}
interface Addr {
  ifname: string;
  addr_info?: { local: string; prefixlen: number }[];
}
interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
}

export interface RootNetSnapshot {
  links: string[];
  addresses: string[];
  routes: string[];
}

export async function rootNetSnapshot(): Promise<RootNetSnapshot> {
  const [links, addrs, routes4, routes6] = await Promise.all([
    ipJson<Link>(undefined, ['link', 'show']),
    ipJson<Addr>(undefined, ['addr', 'show']),
    ipJson<Route>(undefined, ['-4', 'route', 'show', 'table', 'all']),
    ipJson<Route>(undefined, ['-6', 'route', 'show', 'table', 'all']),
  ]);
  return {
    links: links.map((l) => `${l.ifname} ${l.link_type ?? ''}`).sort(),
    addresses: addrs
      .flatMap((a) => (a.addr_info ?? []).map((i) => `${a.ifname} ${i.local}/${i.prefixlen}`))
      .sort(),
    routes: [...routes4, ...routes6]
      .map((r) => `${r.table ?? 'main'} ${r.dst} via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`)
      .sort(),
  };
}
