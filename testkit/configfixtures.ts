// Builders for raw resources and assertions over buildConfig's result, shared by the table tests.
import { parseCidr, Cidr } from '../addr/cidr';
import { buildConfig, BuildOptions } from '../config/build';
import { ClusterResources } from '../config/resources';
import { Config, ConfigError, ConfigKind } from '../config/types';

export const NS = 'metallb-system';

type Spec = Record<string, unknown>;
type Meta = { labels?: Record<string, string>; namespace?: string; apiVersion?: string };

function object(name: string, spec: Spec, meta: Meta = {}): Record<string, unknown> {
  return {
    ...(meta.apiVersion ? { apiVersion: meta.apiVersion } : {}),
    metadata: { name, namespace: meta.namespace ?? NS, ...(meta.labels ? { labels: meta.labels } : {}) },
    spec,
  };
}

export const pool = (name: string, addresses: string[], spec: Spec = {}, meta?: Meta) =>
  object(name, { addresses, ...spec }, meta);
export const l2 = (name: string, spec: Spec = {}) => object(name, spec);
export const bgpAd = (name: string, spec: Spec = {}) => object(name, spec);
export const peer = (name: string, spec: Spec, meta?: Meta) => object(name, spec, meta);
export const community = (name: string, aliases: { name: string; value: string }[]) =>
  object(name, { communities: aliases });
export const bfd = (name: string, spec: Spec = {}) => object(name, spec);
export const node = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels } });
export const namespace = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
});
export const secret = (name: string, type: string, data: Record<string, string> = {}) => ({
  metadata: { name, namespace: NS },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

export interface ExpectedError {
  kind: ConfigKind;
  name: string;
  field: string;
  /** Exact reason, or a pattern it must match. */
  reason: string | RegExp;
  transient?: boolean;
}

export function buildOk(resources: ClusterResources, options?: BuildOptions): Config {
  const result = buildConfig(resources, options);
  if (!result.ok)
    throw new Error(`expected a config, got errors:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.config;
}

export function buildErrors(resources: ClusterResources, options?: BuildOptions): readonly ConfigError[] {
  const result = buildConfig(resources, options);
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors;
}

/** The errors must be exactly these, in any order: nothing missing, nothing extra. */
export function expectErrors(
  resources: ClusterResources,
  expected: ExpectedError[],
  options?: BuildOptions,
): void {
  const errors = buildErrors(resources, options);
  const unmatched = [...errors];
  for (const want of expected) {
    const i = unmatched.findIndex(
      (e) =>
        e.kind === want.kind &&
        e.name === want.name &&
        e.field === want.field &&
        (typeof want.reason === 'string' ? e.reason === want.reason : want.reason.test(e.reason)) &&
        (want.transient === undefined || e.transient === want.transient),
    );
    if (i < 0) {
      throw new Error(
        `missing error ${JSON.stringify({ ...want, reason: String(want.reason) })}\ngot:\n${errors.map((e) => `${e.message} (field ${e.field})`).join('\n')}`,
      );
    }
    unmatched.splice(i, 1);
  }
  if (unmatched.length > 0)
    throw new Error(`unexpected errors:\n${unmatched.map((e) => e.message).join('\n')}`);
}

export function cidrs(...texts: string[]): Cidr[] {
  return texts.map((t) => {
    const c = parseCidr(t);
    if (!c) throw new Error(`bad test CIDR ${t}`);
    return c;
  });
}
