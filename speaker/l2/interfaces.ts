// Which interfaces the speaker answers on, decided from plain link and address data. The rules are
// upstream's (`internal/layer2/announcer.go`): skip interfaces that match the exclude pattern, are down,
// are enslaved to a bridge or bond (the master answers), or have NOARP; ARP needs BROADCAST, NDP needs an
// IPv6 link-local address to send from. We also require Ethernet framing, since we write Ethernet frames.
import {
  ARPHRD_ETHER,
  IFA_F_DADFAILED,
  IFA_F_TENTATIVE,
  IFF_BROADCAST,
  IFF_LOOPBACK,
  IFF_NOARP,
  IFF_UP,
  type InterfaceAddress,
  type Link,
  RT_SCOPE_LINK,
} from './netlink';

export interface UsableInterface {
  readonly name: string;
  readonly index: number;
  readonly mac: string;
  /** Answers ARP (the link has BROADCAST). */
  readonly arp: boolean;
  /** Answers NDP (the link has a usable IPv6 link-local, upstream's condition). */
  readonly ndp: boolean;
  readonly linkLocal?: string;
}

export function selectUsableInterfaces(
  links: readonly Link[],
  addresses: readonly InterfaceAddress[],
  exclude?: RegExp,
): UsableInterface[] {
  const out: UsableInterface[] = [];
  for (const link of links) {
    if (exclude?.test(link.name)) continue;
    if ((link.flags & IFF_UP) === 0 || (link.flags & IFF_NOARP) !== 0 || (link.flags & IFF_LOOPBACK) !== 0)
      continue;
    if (link.master !== undefined && link.master !== 0) continue;
    if (link.type !== ARPHRD_ETHER || link.mac === undefined) continue;
    // A tentative address is still in duplicate address detection and may not be used as a source yet
    // (RFC 4862 §5.4); the next scan picks it up.
    const linkLocal = addresses.find(
      (a) =>
        a.index === link.index &&
        a.scope === RT_SCOPE_LINK &&
        a.address.startsWith('fe80:') &&
        (a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) === 0,
    )?.address;
    const arp = (link.flags & IFF_BROADCAST) !== 0;
    if (!arp && linkLocal === undefined) continue;
    out.push({
      name: link.name,
      index: link.index,
      mac: link.mac,
      arp,
      ndp: linkLocal !== undefined,
      ...(linkLocal !== undefined ? { linkLocal } : {}),
    });
  }
  return out.sort((a, b) => a.index - b.index);
}
