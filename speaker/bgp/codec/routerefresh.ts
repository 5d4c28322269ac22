// ROUTE-REFRESH body (RFC 2918 3): AFI (2), reserved (1), SAFI (1). RFC 7313 3 turned the reserved octet into
// a message subtype (0 normal request, 1 BoRR, 2 EoRR); it is kept as received.
export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  readonly subtype: number;
  readonly safi: number;
}

export const ROUTE_REFRESH_BODY_LENGTH = 4;

export function encodeRouteRefreshBody(m: RouteRefreshMessage, buf: Buffer, offset: number): number {
  buf.writeUInt16BE(m.afi, offset);
  buf[offset + 2] = m.subtype;
  buf[offset + 3] = m.safi;
  return ROUTE_REFRESH_BODY_LENGTH;
}

export function decodeRouteRefreshBody(buf: Uint8Array, offset: number): RouteRefreshMessage {
  return {
    type: 'route-refresh',
    afi: ((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0),
    subtype: buf[offset + 2] ?? 0,
    safi: buf[offset + 3] ?? 0,
  };
}
