// Receive-side UPDATE handling per RFC 7606. This speaker imports no routes, so "treat-as-withdraw" and
// "attribute discard" (RFC 7606 2) both come down to ignoring the UPDATE; only the errors RFC 7606 keeps as
// "session reset" end the session, with the NOTIFICATION RFC 4271 6.3 names. The findings say what was wrong,
// for a log line and a counter.
import { scanAttributes } from './codec/attributelist';
import { type Disposition, type UpdateContext, decodeAttribute } from './codec/attributes';
import { AttrType, ErrorCode, UpdateMessageSubcode } from './codec/codes';
import { decodePrefixes } from './codec/prefix';
import type { Notification } from './codec/result';
import { missingWellKnown, updateLayout } from './codec/update';

export interface ValidationContext extends UpdateContext {
  /** The peer is in our AS (iBGP); LOCAL_PREF from an external peer is discarded (RFC 7606 7.5). */
  readonly internal: boolean;
}

export interface Finding {
  readonly disposition: Exclude<Disposition, 'session-reset'>;
  readonly reason: string;
  /** The attribute type code concerned, when there is one. */
  readonly attribute?: number;
}

export type UpdateVerdict =
  | { readonly action: 'ignore'; readonly findings: readonly Finding[] }
  | { readonly action: 'reset'; readonly reason: string; readonly notification: Notification };

function reset(reason: string, notification: Notification): UpdateVerdict {
  return { action: 'reset', reason, notification };
}

/** Judges an UPDATE body (the octets after the 19-octet header). Never throws. */
export function validateUpdate(body: Uint8Array, ctx: ValidationContext): UpdateVerdict {
  const end = body.length;
  // RFC 7606 4 and 5.3: when the fields' lengths do not add up, or a prefix field is syntactically wrong, the
  // NLRI cannot be located or trusted, and nothing gentler than a session reset is safe.
  const layout = updateLayout(body, 0, end);
  if (!layout.ok) return reset(layout.error.reason, layout.error.notification);
  const { withdrawnEnd, attributesEnd } = layout.value;
  const withdrawn = decodePrefixes(4, body, 2, withdrawnEnd);
  if (!withdrawn.ok) return reset(`withdrawn-${withdrawn.error.reason}`, withdrawn.error.notification);
  const nlri = decodePrefixes(4, body, attributesEnd, end);
  if (!nlri.ok) return reset(`nlri-${nlri.error.reason}`, nlri.error.notification);

  const findings: Finding[] = [];
  const scan = scanAttributes(body, withdrawnEnd + 2, attributesEnd);
  if (!scan.ok) findings.push({ disposition: 'treat-as-withdraw', reason: scan.error.reason }); // RFC 7606 4
  const seen = new Set<number>();
  for (const raw of scan.attributes) {
    const isMp = raw.code === AttrType.MP_REACH_NLRI || raw.code === AttrType.MP_UNREACH_NLRI;
    if (seen.has(raw.code)) {
      // RFC 7606 3(g): a repeated MP attribute resets the session; any other repeat is discarded.
      if (isMp) {
        return reset('mp-duplicate', {
          code: ErrorCode.UpdateMessageError,
          subcode: UpdateMessageSubcode.MalformedAttributeList,
          data: new Uint8Array(0),
        });
      }
      findings.push({ disposition: 'attribute-discard', reason: 'attribute-duplicate', attribute: raw.code });
      continue;
    }
    seen.add(raw.code);
    const attr = decodeAttribute(raw, ctx);
    if (!attr.ok) {
      const { disposition, reason, notification } = attr.error;
      if (disposition === 'session-reset') return reset(reason, notification);
      findings.push({ disposition, reason, attribute: raw.code });
      continue;
    }
    if (raw.code === AttrType.LOCAL_PREF && !ctx.internal) {
      findings.push({
        disposition: 'attribute-discard',
        reason: 'local-pref-from-external',
        attribute: raw.code,
      });
    }
  }
  // RFC 7606 3(d): a missing well-known mandatory attribute is treat-as-withdraw, not a reset.
  const missing = missingWellKnown(seen, nlri.value.length > 0, seen.has(AttrType.MP_REACH_NLRI));
  if (missing !== undefined && scan.ok) {
    findings.push({ disposition: 'treat-as-withdraw', reason: 'attribute-missing', attribute: missing });
  }
  return { action: 'ignore', findings };
}
