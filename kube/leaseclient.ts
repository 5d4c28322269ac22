// The LeaseClient for a real API server, over rest.ts. Times go out as MicroTime with six fractional
// digits (the API server rejects JavaScript's millisecond ISO strings for Lease times) and come back as
// epoch milliseconds. Updates are PUTs of the whole object carrying the resourceVersion we read, so a
// concurrent writer makes ours fail with 409 instead of being overwritten; labels and annotations the lease
// already had are kept.
import { z } from 'zod';
import { isNotFound } from './errors';
import type { LeaseClient, LeaseRecord, StoredLease } from './leaderelection';
import { RESOURCES, apiVersionOf, collectionPath, objectPath } from './resource';
import type { RestClient } from './rest';
import { formatMicroTime, parseKubeTime } from './timefmt';

const leaseSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), resourceVersion: z.string().optional() }),
  spec: z
    .looseObject({
      holderIdentity: z.string().nullish(),
      leaseDurationSeconds: z.number().nullish(),
      acquireTime: z.string().nullish(),
      renewTime: z.string().nullish(),
      leaseTransitions: z.number().nullish(),
    })
    .nullish(),
});
type LeaseJson = z.infer<typeof leaseSchema>;

const optionalTime = (text: string | null | undefined): number | undefined =>
  text === null || text === undefined ? undefined : parseKubeTime(text);

/** The record in a Lease object; missing fields read as client-go reads them (empty, zero). */
export function recordFromLease(lease: LeaseJson): LeaseRecord {
  const spec = lease.spec ?? {};
  const record: { -readonly [K in keyof LeaseRecord]: LeaseRecord[K] } = {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
  const acquire = optionalTime(spec.acquireTime);
  const renew = optionalTime(spec.renewTime);
  if (acquire !== undefined) record.acquireTime = acquire;
  if (renew !== undefined) record.renewTime = renew;
  return record;
}

/** The Lease spec JSON for a record. */
export function specFromRecord(record: LeaseRecord): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
  };
  if (record.acquireTime !== undefined) spec.acquireTime = formatMicroTime(record.acquireTime);
  if (record.renewTime !== undefined) spec.renewTime = formatMicroTime(record.renewTime);
  return spec;
}

export class RestLeaseClient implements LeaseClient {
  /** The metadata of the lease as last read or written, so a PUT keeps labels, annotations, owners. */
  private metadata: Record<string, unknown> | undefined;

  constructor(
    private readonly rest: RestClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  async get(): Promise<StoredLease | undefined> {
    try {
      const raw = await this.rest.request({
        method: 'GET',
        path: objectPath(RESOURCES.leases, this.name, this.namespace),
      });
      return this.remember(raw);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(record: LeaseRecord): Promise<StoredLease> {
    const raw = await this.rest.request({
      method: 'POST',
      path: collectionPath(RESOURCES.leases, this.namespace),
      body: this.body(record, { name: this.name, namespace: this.namespace }),
    });
    return this.remember(raw);
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    const metadata = {
      ...(this.metadata ?? {}),
      name: this.name,
      namespace: this.namespace,
      resourceVersion,
    };
    const raw = await this.rest.request({
      method: 'PUT',
      path: objectPath(RESOURCES.leases, this.name, this.namespace),
      body: this.body(record, metadata),
    });
    return this.remember(raw);
  }

  private body(record: LeaseRecord, metadata: Record<string, unknown>): Record<string, unknown> {
    return {
      apiVersion: apiVersionOf(RESOURCES.leases),
      kind: 'Lease',
      metadata,
      spec: specFromRecord(record),
    };
  }

  private remember(raw: unknown): StoredLease {
    const lease = leaseSchema.parse(raw);
    this.metadata = lease.metadata;
    return { record: recordFromLease(lease), resourceVersion: lease.metadata.resourceVersion ?? '' };
  }
}
