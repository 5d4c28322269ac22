// Connection collision resolution (RFC 4271 6.8): when both speakers open a TCP connection to each other, the
// connection initiated by the speaker with the higher BGP Identifier survives. RFC 6286 2.3 breaks a tie of
// identifiers (allowed between different ASes) by AS number: the larger AS's connection survives.
import { parseIP } from '../../../addr/ip';

export type Initiator = 'local' | 'remote';

/** The connection to keep: the one this speaker initiated, or the one the peer initiated. */
export function resolveCollision(
  local: { readonly bgpId: string; readonly asn: number },
  remote: { readonly bgpId: string; readonly asn: number },
): Initiator {
  const l = parseIP(local.bgpId)?.value ?? 0n;
  const r = parseIP(remote.bgpId)?.value ?? 0n;
  // Identifiers compare as 4-octet unsigned integers in host byte order (RFC 4271 6.8, RFC 6286 2.3).
  if (l !== r) return l > r ? 'local' : 'remote';
  return local.asn > remote.asn ? 'local' : 'remote';
}
