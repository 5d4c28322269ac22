import { resolveCollision } from './collision';

describe('resolveCollision (RFC 4271 6.8)', () => {
  it('keeps the connection initiated by the speaker with the higher BGP Identifier', () => {
    expect(resolveCollision({ bgpId: '192.0.2.9', asn: 1 }, { bgpId: '192.0.2.10', asn: 1 })).toBe('remote');
    expect(resolveCollision({ bgpId: '198.51.100.1', asn: 1 }, { bgpId: '192.0.2.200', asn: 1 })).toBe(
      'local',
    );
  });

  it('compares identifiers as unsigned 32-bit numbers, not as text', () => {
    expect(resolveCollision({ bgpId: '203.0.113.1', asn: 1 }, { bgpId: '9.0.0.1', asn: 1 })).toBe('local');
  });

  it('breaks a tie of identifiers by the larger AS (RFC 6286 2.3)', () => {
    expect(resolveCollision({ bgpId: '192.0.2.1', asn: 64512 }, { bgpId: '192.0.2.1', asn: 64513 })).toBe(
      'remote',
    );
    expect(resolveCollision({ bgpId: '192.0.2.1', asn: 65000 }, { bgpId: '192.0.2.1', asn: 64513 })).toBe(
      'local',
    );
  });
});
