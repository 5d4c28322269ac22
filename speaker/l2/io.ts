// The real edges of the Announcer on Linux: rtnetlink for interfaces, AF_PACKET sockets for frames, a UDP6
// socket for multicast membership. Needs CAP_NET_RAW (packet sockets); joining groups needs nothing.
import type { L2Io } from './announcer';
import { ARP_REQUEST_FILTER, NEIGHBOR_SOLICITATION_FILTER } from './bpf';
import { UdpGroupMemberships } from './multicast';
import { readInterfaces } from './sys/netlink-socket';
import { PacketSocket } from './sys/packet-socket';

export function linuxL2Io(opts: { onSocketError?: (err: Error) => void } = {}): L2Io {
  let groups: UdpGroupMemberships | undefined;
  const memberships = (): UdpGroupMemberships => (groups ??= new UdpGroupMemberships());
  return {
    readInterfaces,
    openResponder(iface, protocol, onFrame) {
      return PacketSocket.open({
        ifname: iface.name,
        ifindex: iface.index,
        protocol,
        filter: protocol === 'arp' ? ARP_REQUEST_FILTER : NEIGHBOR_SOLICITATION_FILTER,
        onFrame,
        ...(opts.onSocketError !== undefined ? { onError: opts.onSocketError } : {}),
      });
    },
    joinGroup: (group, ifname) => memberships().join(group, ifname),
    leaveGroup: (group, ifname) => memberships().leave(group, ifname),
    close() {
      groups?.close();
      groups = undefined;
    },
  };
}
