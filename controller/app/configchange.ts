// Which updates to a config input (pools, advertisements, peers, communities, BFD profiles, Secrets,
// Namespaces, Nodes) can change the configuration. The config model reads names, labels, spec and, for
// Secrets, type and data; never status or bookkeeping metadata. Without this filter every write of the
// controller's own IPAddressPool status, and every Node heartbeat, came back as an update that rebuilt the
// whole configuration and re-examined every Service: a quarter of the controller's CPU in the 5,000-Service
// bench, and work per allocation that grew with the number of Services.
import { compareText } from '../../config/errors';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parts of an object the config model reads. */
function configView(o: unknown): unknown {
  if (!isRecord(o)) return o;
  const metadata = isRecord(o.metadata) ? o.metadata : {};
  return {
    labels: metadata.labels ?? {},
    spec: o.spec,
    type: o.type,
    data: o.data,
    stringData: o.stringData,
  };
}

/** Canonical JSON with sorted keys, so a reordered map from the apiserver is not a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!isRecord(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(compareText)) sorted[k] = v[k];
    return sorted;
  });
}

/** True when the update may change the configuration (so it must be rebuilt). */
export function isConfigChange(oldObj: unknown, newObj: unknown): boolean {
  return canonical(configView(oldObj)) !== canonical(configView(newObj));
}
