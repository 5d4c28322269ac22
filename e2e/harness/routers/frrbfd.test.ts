import { renderFrrConf } from './frr';
import { parseFrrBfdPeers, renderBfddConf } from './frrbfd';

describe('frr bfd config', () => {
  const base = { hostname: 'router', asn: 64512, routerId: '192.0.2.1' };
  const bfd = { receiveInterval: 100, transmitInterval: 150, detectMultiplier: 3 };

  test('bgpd gets `neighbor bfd` with the profile only on the neighbours that ask for it', () => {
    const conf = renderFrrConf({
      ...base,
      neighbors: [
        { address: '192.0.2.11', asn: 64513, bfd },
        { address: '192.0.2.12', asn: 64513 },
      ],
    });
    expect(conf).toContain(
      ' neighbor 192.0.2.11 timers connect 5\n neighbor 192.0.2.11 bfd\n' +
        ' neighbor 192.0.2.11 bfd profile nbr-192_0_2_11\n neighbor 192.0.2.12 remote-as',
    );
    expect(conf).not.toContain('192.0.2.12 bfd');
  });

  test('bfdd gets one profile per BFD neighbour', () => {
    expect(
      renderBfddConf('router', [
        { address: '2001:db8:1::11', asn: 64513, bfd: { ...bfd, minimumTtl: 250 } },
        { address: '192.0.2.12', asn: 64513, multihop: true, bfd: { ...bfd, minimumTtl: 250 } },
        { address: '192.0.2.13', asn: 64513 },
      ]),
    ).toBe(
      [
        'frr defaults traditional',
        'hostname router',
        'log stdout informational',
        '!',
        'bfd',
        ' profile nbr-2001_db8_1__11',
        '  receive-interval 100',
        '  transmit-interval 150',
        '  detect-multiplier 3',
        ' exit',
        ' !',
        ' profile nbr-192_0_2_12',
        '  receive-interval 100',
        '  transmit-interval 150',
        '  detect-multiplier 3',
        ' exit',
        ' !',
        'exit',
        '!',
        '',
      ].join('\n'),
    );
  });

  test("a multihop neighbour's minimum TTL becomes bgpd's hop count, which bfdd turns back into it", () => {
    const conf = renderFrrConf({
      ...base,
      neighbors: [
        { address: '192.0.2.11', asn: 64513, multihop: true, bfd: { ...bfd, minimumTtl: 254 } },
        { address: '192.0.2.12', asn: 64513, multihop: true, bfd },
      ],
    });
    expect(conf).toContain(' neighbor 192.0.2.11 ebgp-multihop 2\n');
    expect(conf).toContain(' neighbor 192.0.2.12 ebgp-multihop\n');
  });

  test('refuses timers bfdd would reject', () => {
    const render = (b: typeof bfd & { minimumTtl?: number }) => () =>
      renderFrrConf({ ...base, neighbors: [{ address: '192.0.2.11', asn: 64513, bfd: b }] });
    expect(render({ ...bfd, receiveInterval: 5 })).toThrow(/neighbors\[0\]\.bfd\.receiveInterval 5/);
    expect(render({ ...bfd, detectMultiplier: 1 })).toThrow(/detectMultiplier/);
    expect(render({ ...bfd, minimumTtl: 255 })).toThrow(/minimumTtl/);
  });

  test('parses show bfd peers json', () => {
    const json = JSON.stringify([
      {
        multihop: true,
        peer: '192.0.2.11',
        local: '192.0.2.1',
        status: 'up',
        diagnostic: 'ok',
        'remote-diagnostic': 'ok',
        'receive-interval': 100,
        'transmit-interval': 150,
        'remote-receive-interval': 100,
        'remote-transmit-interval': 100,
        'remote-detect-multiplier': 3,
        'minimum-ttl': 254,
      },
      { multihop: false, peer: '2001:db8:1::11', status: 'down' },
    ]);
    expect(parseFrrBfdPeers(json)).toEqual([
      {
        peer: '192.0.2.11',
        local: '192.0.2.1',
        isMultihop: true,
        status: 'up',
        diagnostic: 'ok',
        remoteDiagnostic: 'ok',
        receiveInterval: 100,
        transmitInterval: 150,
        remoteReceiveInterval: 100,
        remoteTransmitInterval: 100,
        remoteDetectMultiplier: 3,
        minimumTtl: 254,
      },
      {
        peer: '2001:db8:1::11',
        local: undefined,
        isMultihop: false,
        status: 'down',
        diagnostic: undefined,
        remoteDiagnostic: undefined,
        receiveInterval: undefined,
        transmitInterval: undefined,
        remoteReceiveInterval: undefined,
        remoteTransmitInterval: undefined,
        remoteDetectMultiplier: undefined,
        minimumTtl: undefined,
      },
    ]);
  });
});
