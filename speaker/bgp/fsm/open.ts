// The OPEN this speaker sends, and the check of the OPEN it receives (RFC 4271 6.2, RFC 5492, RFC 6793,
// RFC 4760, RFC 4724), which yields the negotiated session parameters or the NOTIFICATION to send.
import {
  type AfiSafi,
  type Capability,
  type GracefulRestartCapability,
  capabilityEncodingLength,
  encodeCapability,
} from '../codec/capabilities';
import { AS_TRANS, Afi, BGP_VERSION, ErrorCode, OpenMessageSubcode as S, Safi } from '../codec/codes';
import { type OpenMessage, capabilitiesOf } from '../codec/open';
import { type Notification, u16 } from '../codec/result';
import { keepaliveInterval, negotiateHoldTime } from './timers';

export interface SessionConfig {
  readonly localAs: number;
  /** A number, or MetalLB's dynamicASN: `internal` (same AS as ours) or `external` (any other). */
  readonly peerAs: number | 'internal' | 'external';
  /** Our BGP Identifier, dotted quad. */
  readonly routerId: string;
  /** Proposed hold time, seconds: 0 or at least 3. */
  readonly holdTime: number;
  readonly keepaliveTime?: number;
  /** ConnectRetryTime (RFC 4271 10): how long a TCP connection attempt may take before it is retried. */
  readonly connectRetryTime: number;
  /** Address families offered in multiprotocol capabilities (RFC 4760 8). */
  readonly families: readonly AfiSafi[];
  /** Offer graceful restart (RFC 4724 3) with this restart time. */
  readonly gracefulRestart?: GracefulRestartConfig;
  /** RFC 4271 8.1.1 PassiveTcpEstablishment: wait for the peer to connect, never dial. */
  readonly passive?: boolean;
}

/** What the graceful restart capability says (RFC 4724 3, RFC 8538 2). */
export interface GracefulRestartConfig {
  /** Seconds, 0-4095. */
  readonly restartTime: number;
  /** R bit: this speaker has restarted and this is its first session since (RFC 4724 3, 4.1). */
  readonly restarting?: boolean;
  /**
   * F bit for every offered family: forwarding state was kept across the restart (RFC 4724 3). True when the
   * node's data plane (which the speaker process does not own) keeps forwarding while the speaker restarts.
   */
  readonly forwarding?: boolean;
  /** N bit: the peer may keep routes stale after a NOTIFICATION other than Hard Reset (RFC 8538 2). */
  readonly notification?: boolean;
}

export const IPV4_UNICAST: AfiSafi = { afi: Afi.IPv4, safi: Safi.Unicast };
export const IPV6_UNICAST: AfiSafi = { afi: Afi.IPv6, safi: Safi.Unicast };

export interface Negotiated {
  readonly peerAs: number;
  readonly peerId: string;
  readonly internal: boolean;
  /** Seconds; 0 means no hold timer and no KEEPALIVEs. */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly fourOctetAs: boolean;
  readonly routeRefresh: boolean;
  /** Families both sides offered. */
  readonly families: readonly AfiSafi[];
  /** The peer's graceful restart capability, when both sides offered one. */
  readonly gracefulRestart?: GracefulRestartCapability;
}

export function localCapabilities(config: SessionConfig): Capability[] {
  const caps: Capability[] = config.families.map((f) => ({
    kind: 'multiprotocol',
    afi: f.afi,
    safi: f.safi,
  }));
  caps.push({ kind: 'route-refresh' });
  const gr = config.gracefulRestart;
  if (gr !== undefined) {
    caps.push({
      kind: 'graceful-restart',
      restarting: gr.restarting ?? false,
      notification: gr.notification ?? false,
      restartTime: gr.restartTime,
      families: config.families.map((f) => ({ ...f, forwarding: gr.forwarding ?? false })),
    });
  }
  caps.push({ kind: 'four-octet-as', asn: config.localAs });
  return caps;
}

/** RFC 4271 4.2 with RFC 6793 4.1: My AS is AS_TRANS when our AS needs 4 octets. */
export function buildOpen(config: SessionConfig): OpenMessage {
  return {
    type: 'open',
    version: BGP_VERSION,
    myAs: config.localAs > 0xffff ? AS_TRANS : config.localAs,
    holdTime: config.holdTime,
    bgpId: config.routerId,
    parameters: [{ type: 'capabilities', capabilities: localCapabilities(config) }],
  };
}

export type OpenCheck =
  | { readonly ok: true; readonly negotiated: Negotiated }
  | { readonly ok: false; readonly reason: string; readonly notification: Notification };

function refuse(reason: string, subcode: number, data: Uint8Array = new Uint8Array(0)): OpenCheck {
  return { ok: false, reason, notification: { code: ErrorCode.OpenMessageError, subcode, data } };
}

const sameFamily = (a: AfiSafi, b: AfiSafi) => a.afi === b.afi && a.safi === b.safi;

/** RFC 4271 6.2 OPEN message error handling, in the order the RFC lists the checks. */
export function checkOpen(open: OpenMessage, config: SessionConfig): OpenCheck {
  // RFC 4271 6.2: the data is the largest version we support below the peer's bid, here our only one.
  if (open.version !== BGP_VERSION)
    return refuse('open-version', S.UnsupportedVersionNumber, u16(BGP_VERSION));
  const caps = capabilitiesOf(open);
  const four = caps.find((c) => c.kind === 'four-octet-as');
  // RFC 6793 4.1: a NEW speaker's real AS is in the capability; My AS may just say AS_TRANS.
  const peerAs = four?.kind === 'four-octet-as' ? four.asn : open.myAs;
  const internal = peerAs === config.localAs;
  const asOk =
    config.peerAs === 'internal'
      ? internal
      : config.peerAs === 'external'
        ? !internal
        : peerAs === config.peerAs;
  if (!asOk) return refuse('open-peer-as', S.BadPeerAS);
  // RFC 4271 6.2: a hold time of one or two seconds is refused.
  if (open.holdTime === 1 || open.holdTime === 2) return refuse('open-hold-time', S.UnacceptableHoldTime);
  // RFC 6286 2.2: any non-zero identifier, but an internal peer's must differ from ours.
  if (open.bgpId === '0.0.0.0' || (internal && open.bgpId === config.routerId)) {
    return refuse('open-bgp-identifier', S.BadBGPIdentifier);
  }
  // RFC 5492 4 keeps RFC 4271's rule for parameters other than capabilities.
  if (open.parameters.some((p) => p.type === 'unknown')) {
    return refuse('open-optional-parameter', S.UnsupportedOptionalParameter);
  }
  const offered = caps.flatMap((c) => (c.kind === 'multiprotocol' ? [{ afi: c.afi, safi: c.safi }] : []));
  // A speaker without multiprotocol capabilities carries IPv4 unicast only (RFC 4760 1, RFC 4271).
  const theirs = offered.length > 0 ? offered : [IPV4_UNICAST];
  const families = config.families.filter((f) => theirs.some((t) => sameFamily(t, f)));
  if (families.length === 0) {
    // RFC 5492 5: Unsupported Capability, listing the capabilities we needed.
    const wanted: Capability[] = config.families.map((f) => ({ kind: 'multiprotocol', ...f }));
    const data = Buffer.alloc(wanted.reduce((n, c) => n + capabilityEncodingLength(c), 0));
    wanted.reduce((at, c) => at + encodeCapability(c, data, at), 0);
    return refuse('open-no-common-family', S.UnsupportedCapability, Uint8Array.from(data));
  }
  const holdTime = negotiateHoldTime(config.holdTime, open.holdTime);
  const gr = caps.find((c) => c.kind === 'graceful-restart');
  return {
    ok: true,
    negotiated: {
      peerAs,
      peerId: open.bgpId,
      internal,
      holdTime,
      keepaliveTime: keepaliveInterval(holdTime, config.keepaliveTime),
      fourOctetAs: four !== undefined,
      routeRefresh: caps.some((c) => c.kind === 'route-refresh'),
      families,
      ...(gr?.kind === 'graceful-restart' && config.gracefulRestart !== undefined
        ? { gracefulRestart: gr }
        : {}),
    },
  };
}
