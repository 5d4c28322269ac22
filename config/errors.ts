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

/** Code-point order: the same on every machine, whatever the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
