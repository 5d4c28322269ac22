// Solicited-node multicast membership (RFC 4861 §7.2.1) for announced IPv6 addresses. Joining through a
// UDP socket makes the kernel program the NIC's multicast filter (so solicitations to ff02::1:ffXX:XXXX
// reach our packet socket) and send the MLD reports that snooping switches need to forward them to us.
import dgram from 'node:dgram';

export interface GroupMemberships {
  join(group: string, ifname: string): void;
  leave(group: string, ifname: string): void;
  close(): void;
}

export class UdpGroupMemberships implements GroupMemberships {
  // One socket serves every (group, interface) pair; libuv binds it to [::]:0 on the first join.
  private readonly socket = dgram.createSocket({ type: 'udp6', reuseAddr: true });

  constructor() {
    this.socket.on('message', () => undefined); // nothing is sent to its ephemeral port; ignore if it is
    this.socket.on('error', () => undefined);
  }

  join(group: string, ifname: string): void {
    this.socket.addMembership(group, `::%${ifname}`);
  }

  leave(group: string, ifname: string): void {
    this.socket.dropMembership(group, `::%${ifname}`);
  }

  close(): void {
    this.socket.close();
  }
}
