// Building ConfigErrors: one place formats the message, so every error reads the same way:
// `<Kind> <namespace>/<name>: <field> "<value>": <reason>`.
import { z } from 'zod';
import { objectRef } from '../api/meta';
import { ConfigError, ConfigKind } from './types';

export interface ObjectIdentity {
  readonly kind: ConfigKind;
  readonly namespace: string;
  readonly name: string;
}

export interface ErrorDetail {
  /** The offending value, quoted in the message when given. */
  readonly value?: string;
  /** The error may go away once another object appears (upstream's TransientError). */
  readonly transient?: boolean;
}

export function formatConfigMessage(
  object: ObjectIdentity,
  field: string,
  reason: string,
  value?: string,
): string {
  const ref = objectRef(object.kind, {
    namespace: object.namespace || undefined,
    name: object.name || undefined,
  });
  const where = [field, value === undefined ? '' : JSON.stringify(value)].filter((s) => s !== '').join(' ');
  return where === '' ? `${ref}: ${reason}` : `${ref}: ${where}: ${reason}`;
}

export function configError(
  object: ObjectIdentity,
  field: string,
  reason: string,
  detail: ErrorDetail = {},
): ConfigError {
  return {
    kind: object.kind,
    namespace: object.namespace,
    name: object.name,
    field,
    reason,
    message: formatConfigMessage(object, field, reason, detail.value),
    transient: detail.transient ?? false,
  };
}

/** Collects errors for one object so checks read as `report(field, reason)`. */
export class ErrorSink {
  readonly errors: ConfigError[] = [];

  for(object: ObjectIdentity): (field: string, reason: string, detail?: ErrorDetail) => void {
    return (field, reason, detail) => {
      this.errors.push(configError(object, field, reason, detail));
    };
  }

  get count(): number {
    return this.errors.length;
  }
}

/** A JSON path as people write it: spec.addresses[1].value. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** One ConfigError per schema issue, each pointing at the field zod rejected. */
export function schemaErrors(object: ObjectIdentity, error: z.ZodError): ConfigError[] {
  return error.issues.map((issue) => configError(object, fieldPath(issue.path), issue.message));
}

/**
 * Code-point order, as Go compares strings (byte-wise UTF-8 is code-point order): the same on every machine,
 * whatever the locale. The one string order of shipped code; never localeCompare or Intl.Collator, whose
 * order follows the process locale (under da_DK "aa" sorts after "z"). Plain `<` compares UTF-16 code
 * units, which misorders a surrogate pair (U+10000 and above) against U+E000..U+FFFF: at the first unit
 * that differs, surrogates are moved above the rest of the BMP.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}
