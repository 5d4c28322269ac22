// admission.k8s.io/v1 AdmissionReview and apiextensions.k8s.io/v1 ConversionReview, as far as the webhooks
// read them. Anything the API server sends is parsed here; handlers see typed requests only.
import { z } from 'zod';

export const AdmissionRequestSchema = z.looseObject({
  uid: z.string(),
  kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string() }),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequestSchema>;

export const AdmissionReviewSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  request: AdmissionRequestSchema,
});

export interface AdmissionVerdict {
  readonly allowed: boolean;
  /** Why it was denied: what `kubectl apply` prints. */
  readonly message?: string;
  readonly warnings?: readonly string[];
}

export const allow = (warnings?: readonly string[]): AdmissionVerdict =>
  warnings && warnings.length > 0 ? { allowed: true, warnings } : { allowed: true };
export const deny = (message: string): AdmissionVerdict => ({ allowed: false, message });

export function admissionResponse(uid: string, verdict: AdmissionVerdict): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: verdict.allowed };
  if (!verdict.allowed)
    response.status = { code: 403, reason: 'Forbidden', message: verdict.message ?? 'denied' };
  if (verdict.warnings && verdict.warnings.length > 0) response.warnings = [...verdict.warnings];
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

export const ConversionReviewSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  request: z.looseObject({
    uid: z.string(),
    desiredAPIVersion: z.string(),
    objects: z.array(z.unknown()),
  }),
});
export type ConversionReview = z.infer<typeof ConversionReviewSchema>;

export function conversionResponse(
  uid: string,
  result: { ok: true; objects: unknown[] } | { ok: false; message: string },
): Record<string, unknown> {
  const response = result.ok
    ? { uid, convertedObjects: result.objects, result: { status: 'Success' } }
    : { uid, convertedObjects: [], result: { status: 'Failure', message: result.message } };
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response };
}
