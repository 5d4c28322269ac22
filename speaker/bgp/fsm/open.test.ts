import { AS_TRANS, ErrorCode, OpenMessageSubcode as S } from '../codec/codes';
import type { Capability } from '../codec/capabilities';
import { hex } from '../codec/testutil';
import type { OpenMessage } from '../codec/open';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig, buildOpen, checkOpen } from './open';

const CONFIG: SessionConfig = {
  localAs: 64512,
  peerAs: 64501,
  routerId: '192.0.2.1',
  holdTime: 90,
  connectRetryTime: 120,
  families: [IPV4_UNICAST, IPV6_UNICAST],
};

function open(capabilities: Capability[], overrides: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: 'open',
    version: 4,
    myAs: 64501,
    holdTime: 90,
    bgpId: '192.0.2.2',
    parameters: [{ type: 'capabilities', capabilities }],
    ...overrides,
  };
}

const MP4: Capability = { kind: 'multiprotocol', afi: 1, safi: 1 };
const MP6: Capability = { kind: 'multiprotocol', afi: 2, safi: 1 };

function refusal(o: OpenMessage, config: SessionConfig = CONFIG) {
  const r = checkOpen(o, config);
  return r.ok ? undefined : r.notification;
}

describe('buildOpen', () => {
  it('offers the configured families, route refresh and the 4-octet AS; graceful restart only when configured', () => {
    expect(buildOpen(CONFIG).parameters).toEqual([
      {
        type: 'capabilities',
        capabilities: [MP4, MP6, { kind: 'route-refresh' }, { kind: 'four-octet-as', asn: 64512 }],
      },
    ]);
    const gr = buildOpen({ ...CONFIG, families: [IPV4_UNICAST], gracefulRestart: { restartTime: 120 } });
    expect(gr.parameters[0]).toMatchObject({
      capabilities: [
        MP4,
        { kind: 'route-refresh' },
        { kind: 'graceful-restart', restartTime: 120, families: [{ afi: 1, safi: 1, forwarding: false }] },
        {},
      ],
    });
  });

  it('sets the R, N and per-family F bits of graceful restart as configured (RFC 4724 3, RFC 8538 2)', () => {
    const o = buildOpen({
      ...CONFIG,
      gracefulRestart: { restartTime: 120, restarting: true, forwarding: true, notification: true },
    });
    expect(o.parameters[0]).toMatchObject({
      capabilities: expect.arrayContaining([
        {
          kind: 'graceful-restart',
          restarting: true,
          notification: true,
          restartTime: 120,
          families: [
            { afi: 1, safi: 1, forwarding: true },
            { afi: 2, safi: 1, forwarding: true },
          ],
        },
      ]),
    });
    const plain = buildOpen({ ...CONFIG, gracefulRestart: { restartTime: 120 } });
    expect(plain.parameters[0]).toMatchObject({
      capabilities: expect.arrayContaining([
        expect.objectContaining({ kind: 'graceful-restart', restarting: false, notification: false }),
      ]),
    });
  });

  it('puts AS_TRANS in My AS and the real AS in the capability when it needs 4 octets', () => {
    const o = buildOpen({ ...CONFIG, localAs: 4200000000 });
    expect(o.myAs).toBe(AS_TRANS);
    expect(o.parameters[0]).toMatchObject({
      capabilities: expect.arrayContaining([{ kind: 'four-octet-as', asn: 4200000000 }]),
    });
  });
});

describe('checkOpen (RFC 4271 6.2)', () => {
  it('negotiates the hold time, the keepalive and the common families', () => {
    const r = checkOpen(open([MP4, { kind: 'route-refresh' }], { holdTime: 30 }), CONFIG);
    expect(r).toEqual({
      ok: true,
      negotiated: {
        peerAs: 64501,
        peerId: '192.0.2.2',
        internal: false,
        holdTime: 30,
        keepaliveTime: 10,
        fourOctetAs: false,
        routeRefresh: true,
        families: [IPV4_UNICAST],
      },
    });
  });

  it('uses the configured keepalive when shorter than a third of the hold time', () => {
    const r = checkOpen(open([MP4]), { ...CONFIG, keepaliveTime: 5 });
    expect(r.ok && r.negotiated.keepaliveTime).toBe(5);
    const long = checkOpen(open([MP4]), { ...CONFIG, keepaliveTime: 60 });
    expect(long.ok && long.negotiated.keepaliveTime).toBe(30);
  });

  it('takes the peer AS from the 4-octet AS capability when My AS is AS_TRANS (RFC 6793 4.1)', () => {
    const o = open([MP4, { kind: 'four-octet-as', asn: 4200000001 }], { myAs: AS_TRANS });
    const r = checkOpen(o, { ...CONFIG, peerAs: 4200000001 });
    expect(r.ok && r.negotiated).toMatchObject({ peerAs: 4200000001, fourOctetAs: true });
    expect(refusal(o)).toMatchObject({ code: ErrorCode.OpenMessageError, subcode: S.BadPeerAS });
  });

  it('accepts any AS for dynamicASN external except ours, and only ours for internal', () => {
    expect(checkOpen(open([MP4]), { ...CONFIG, peerAs: 'external' }).ok).toBe(true);
    expect(refusal(open([MP4], { myAs: 64512 }), { ...CONFIG, peerAs: 'external' })?.subcode).toBe(
      S.BadPeerAS,
    );
    expect(checkOpen(open([MP4], { myAs: 64512 }), { ...CONFIG, peerAs: 'internal' }).ok).toBe(true);
    expect(refusal(open([MP4]), { ...CONFIG, peerAs: 'internal' })?.subcode).toBe(S.BadPeerAS);
  });

  it('refuses our own BGP identifier from an internal peer but not from an external one (RFC 6286 2.2)', () => {
    const same = open([MP4], { myAs: 64512, bgpId: '192.0.2.1' });
    expect(refusal(same, { ...CONFIG, peerAs: 64512 })?.subcode).toBe(S.BadBGPIdentifier);
    expect(checkOpen(open([MP4], { bgpId: '192.0.2.1' }), CONFIG).ok).toBe(true);
  });

  it('answers an unsupported version with the version it supports as data', () => {
    expect(refusal(open([MP4], { version: 5 }))).toEqual({
      code: ErrorCode.OpenMessageError,
      subcode: S.UnsupportedVersionNumber,
      data: Uint8Array.of(0, 4),
    });
  });

  it.each([1, 2])('refuses a hold time of %i s, and accepts 0 and 3', (holdTime) => {
    expect(refusal(open([MP4], { holdTime }))?.subcode).toBe(S.UnacceptableHoldTime);
    expect(checkOpen(open([MP4], { holdTime: 0 }), CONFIG).ok).toBe(true);
    expect(checkOpen(open([MP4], { holdTime: 3 }), CONFIG).ok).toBe(true);
  });

  it('treats a peer without multiprotocol capabilities as IPv4 unicast only', () => {
    const r = checkOpen(open([]), CONFIG);
    expect(r.ok && r.negotiated.families).toEqual([IPV4_UNICAST]);
  });

  it('refuses a peer with no family in common with Unsupported Capability, listing ours (RFC 5492 5)', () => {
    const n = refusal(open([MP6]), { ...CONFIG, families: [IPV4_UNICAST] });
    expect(n?.subcode).toBe(S.UnsupportedCapability);
    expect(hex(n?.data ?? new Uint8Array(0))).toBe('010400010001');
  });

  it("negotiates graceful restart only when both sides offer it, keeping the peer's", () => {
    const gr: Capability = {
      kind: 'graceful-restart',
      restarting: true,
      notification: false,
      restartTime: 90,
      families: [],
    };
    const both = checkOpen(open([MP4, gr]), { ...CONFIG, gracefulRestart: { restartTime: 120 } });
    expect(both.ok && both.negotiated.gracefulRestart).toEqual(gr);
    const ours = checkOpen(open([MP4, gr]), CONFIG);
    expect(ours.ok && ours.negotiated.gracefulRestart).toBeUndefined();
  });
});
