// Messages captured from real routers by testdata/capture.ts: each must decode, and re-encode to the same bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AS_TRANS } from './codec/codes';
import { decode, encode, type Message } from './codec/message';
import { capabilitiesOf } from './codec/open';
import { endOfRibFamily } from './codec/update';
import { hex } from './codec/testutil';
import { validateUpdate } from './validate';
import { LISTENER_CTX, listenerOpen, speakerUpdates } from './testdata/speakerroutes';

// Every capture peered with a listener that sent the 4-octet AS capability, and so did every router.
const CTX = { fourOctetAs: true };

function captured(name: string): Buffer[] {
  return readFileSync(join(__dirname, 'testdata', `${name}.hex`), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => Buffer.from(line, 'hex'));
}

function decodeAll(name: string): Message[] {
  return captured(name).map((bytes) => {
    const result = decode(bytes, CTX);
    if (!result.ok) throw new Error(`${name}: ${result.error.reason} in ${hex(bytes)}`);
    return result.value;
  });
}

describe.each(['frr', 'bird', 'gobgp'])('messages captured from %s', (name) => {
  it('decode, and re-encode to the bytes the router sent', () => {
    for (const bytes of captured(name)) {
      const result = decode(bytes, CTX);
      expect(result.ok).toBe(true);
      if (result.ok) expect(hex(encode(result.value, CTX))).toBe(hex(bytes));
    }
  });

  it('open with an OPEN offering IPv4 and IPv6 unicast and the 4-octet AS, then a KEEPALIVE', () => {
    const [open, keepalive] = decodeAll(name);
    expect(open?.type).toBe('open');
    if (open?.type !== 'open') return;
    expect(open.version).toBe(4);
    expect(open.bgpId).toBe('192.0.2.2');
    expect(capabilitiesOf(open)).toEqual(
      expect.arrayContaining([
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        expect.objectContaining({ kind: 'four-octet-as' }),
      ]),
    );
    expect(keepalive).toEqual({ type: 'keepalive' });
  });

  it('announce 203.0.113.0/24 in NLRI and 2001:db8:100::/48 in MP_REACH_NLRI', () => {
    const updates = decodeAll(name).filter((m) => m.type === 'update');
    const v4 = updates.flatMap((u) => u.nlri);
    const v6 = updates.flatMap((u) => u.attributes.flatMap((a) => (a.type === 'mp-reach' ? a.nlri : [])));
    expect(v4).toContainEqual({ family: 4, address: '203.0.113.0', length: 24 });
    expect(v6).toContainEqual({ family: 6, address: '2001:db8:100::', length: 48 });
  });
});

describe('router specifics', () => {
  it('FRR 8.4 sends AS_PATH with the Extended Length bit although it is short, which is kept', () => {
    const update = decodeAll('frr').find(
      (m) => m.type === 'update' && m.nlri.some((p) => p.address === '203.0.113.0'),
    );
    expect(update?.type === 'update' && update.attributes[1]).toEqual({
      type: 'as-path',
      flags: 0x50,
      segments: [{ type: 'sequence', asns: [64501] }],
    });
  });

  it('FRR offers graceful restart with the N bit of RFC 8538, and its hostname in the FQDN capability (73) kept as bytes', () => {
    const [open] = decodeAll('frr');
    if (open?.type !== 'open') throw new Error('no OPEN');
    const caps = capabilitiesOf(open);
    expect(caps).toContainEqual({
      kind: 'graceful-restart',
      restarting: true,
      notification: true,
      restartTime: 120,
      families: [],
    });
    const fqdn = caps.find((c) => c.kind === 'unknown' && c.code === 73);
    expect(fqdn?.kind === 'unknown' && Buffer.from(fqdn.value).toString('latin1')).toContain('capture');
  });

  it('FRR and BIRD close each family with End-of-RIB once graceful restart is negotiated (RFC 4724 2)', () => {
    for (const name of ['frr', 'bird']) {
      const eors = decodeAll(name)
        .flatMap((m) => (m.type === 'update' ? [endOfRibFamily(m)] : []))
        .filter((f) => f);
      expect(eors).toHaveLength(2);
      expect(eors).toEqual(
        expect.arrayContaining([
          { afi: 1, safi: 1 },
          { afi: 2, safi: 1 },
        ]),
      );
    }
  });

  it("FRR echoes the speaker's own routes back, AS 64512 in the path, and validation ignores them cleanly", () => {
    const echoes = captured('frr').filter((bytes) => {
      const m = decode(bytes, CTX);
      return (
        m.ok &&
        m.value.type === 'update' &&
        m.value.attributes.some(
          (a) => a.type === 'as-path' && a.segments.some((sg) => sg.asns.includes(64512)),
        )
      );
    });
    expect(echoes.length).toBeGreaterThanOrEqual(2);
    for (const bytes of echoes) {
      expect(validateUpdate(bytes.subarray(19), { fourOctetAs: true, internal: false })).toEqual({
        action: 'ignore',
        findings: [],
      });
    }
  });

  it('BIRD sends a global and a link-local IPv6 next hop (RFC 2545 3)', () => {
    const mp = decodeAll('bird')
      .flatMap((m) => (m.type === 'update' ? m.attributes : []))
      .find((a) => a.type === 'mp-reach');
    expect(mp?.type === 'mp-reach' && mp.nextHops[0]).toBe('2001:db8::2');
    expect(mp?.type === 'mp-reach' && mp.nextHops[1]?.startsWith('fe80::')).toBe(true);
  });

  it('GoBGP with AS 4200000001 puts AS_TRANS in My AS and the real AS in the capability (RFC 6793 4.1)', () => {
    const [open] = decodeAll('gobgp');
    if (open?.type !== 'open') throw new Error('no OPEN');
    expect(open.myAs).toBe(AS_TRANS);
    expect(capabilitiesOf(open)).toContainEqual({ kind: 'four-octet-as', asn: 4200000001 });
  });

  it('GoBGP sends an IPv4-mapped IPv6 next hop for IPv6 routes over an IPv4 session', () => {
    const mp = decodeAll('gobgp')
      .flatMap((m) => (m.type === 'update' ? m.attributes : []))
      .find((a) => a.type === 'mp-reach');
    expect(mp?.type === 'mp-reach' && mp.nextHops).toEqual(['::ffff:c000:202']); // ::ffff:192.0.2.2;
  });
});

describe.each(['frr', 'bird', 'gobgp'])('what %s accepted from this speaker', (name) => {
  // testdata/<router>-rib.txt shows the router holding every route, communities and large communities
  // included. That evidence stands for today's encoder only while it still produces the same bytes.
  it('is byte for byte what buildOpen and packUpdates produce today', () => {
    const sent = captured(`${name}-sent`).map(hex);
    const today = [listenerOpen(), { type: 'keepalive' as const }, ...speakerUpdates()].map((m) =>
      hex(encode(m, LISTENER_CTX)),
    );
    expect(sent).toEqual(today);
  });

  it("is in the router's table: all five prefixes", () => {
    const rib = readFileSync(join(__dirname, 'testdata', `${name}-rib.txt`), 'utf8');
    for (const p of [
      '198.51.100.10/32',
      '198.51.100.11/32',
      '198.51.100.12/32',
      '2001:db8:200::10/128',
      '2001:db8:200::11/128',
    ]) {
      expect(rib).toContain(p);
    }
  });
});
