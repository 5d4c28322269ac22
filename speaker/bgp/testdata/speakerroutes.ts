// What the capture listener announces to each router, as this speaker would: the OPEN from fsm/open.ts and
// UPDATEs from the packer, then End-of-RIB for both families. capture.ts records the bytes sent
// (<router>-sent.hex) and the router's resulting table (<router>-rib.txt); golden.test.ts checks that today's
// code still produces exactly those bytes, so the routers' acceptance still speaks for the current encoder.
import type { UpdateContext } from '../codec/attributes';
import type { Message } from '../codec/message';
import { parsePrefix, type Prefix } from '../codec/prefix';
import { endOfRib } from '../codec/update';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig, buildOpen } from '../fsm/open';
import { packUpdates } from '../packer';

export const LISTENER_AS = 64512;
export const LISTENER_CTX: UpdateContext = { fourOctetAs: true };

export const LISTENER_CONFIG: SessionConfig = {
  localAs: LISTENER_AS,
  peerAs: 'external',
  routerId: '192.0.2.1',
  holdTime: 90,
  connectRetryTime: 10,
  families: [IPV4_UNICAST, IPV6_UNICAST],
  gracefulRestart: { restartTime: 120 },
};

function prefix(text: string): Prefix {
  const p = parsePrefix(text);
  if (p === undefined) throw new Error(text);
  return p;
}

/**
 * The messages the listener sends once the router's KEEPALIVE arrives. The IPv6 routes carry a global next hop
 * only: FRR without zebra has no interface to tie a link-local next hop to, treats such an MP_REACH_NLRI as
 * withdrawn, and then (FRR 8.4) misparses its NLRI as IPv4 and resets the session with Invalid Network Field.
 */
export function speakerUpdates(): Message[] {
  const asPath = [{ type: 'sequence' as const, asns: [LISTENER_AS] }];
  const communities = [LISTENER_AS * 65536 + 100];
  const largeCommunities = [{ global: LISTENER_AS, local1: 1, local2: 2 }];
  const v4 = { asPath, nextHop: '192.0.2.1', communities, largeCommunities };
  const v6 = { asPath, nextHop: '2001:db8::1', communities, largeCommunities };
  const updates = packUpdates(
    {
      announce: [
        { prefix: prefix('198.51.100.10/32'), attributes: v4 },
        { prefix: prefix('198.51.100.11/32'), attributes: v4 },
        { prefix: prefix('198.51.100.12/32'), attributes: { ...v4, communities: [] } },
        { prefix: prefix('2001:db8:200::10/128'), attributes: v6 },
        { prefix: prefix('2001:db8:200::11/128'), attributes: v6 },
      ],
      withdraw: [],
    },
    LISTENER_CTX,
  );
  return [...updates, endOfRib(1), endOfRib(2)];
}

export function listenerOpen(): Message {
  return buildOpen(LISTENER_CONFIG);
}
