// Typed API errors and the questions controllers ask of them ("was it a conflict?"). Errors reach us in
// three shapes and these helpers read all of them:
// - KubeApiError, thrown by rest.ts, carrying the metav1.Status the API server sent;
// - client-node 2.x's ApiException from its generated APIs: `code` is the HTTP status and `body` the
//   parsed response (a metav1.Status object, or a string when the body was not JSON);
// - client-node's Watch failure: a plain Error whose `statusCode` is the HTTP status of the watch request.
import { z } from 'zod';

/** The fields of metav1.Status we use; the API server sends it with every error response. */
export const kubeStatusSchema = z.looseObject({
  kind: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z.looseObject({ name: z.string().optional(), kind: z.string().optional() }).optional(),
});
export type KubeStatus = z.infer<typeof kubeStatusSchema>;

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    /** HTTP status code. */
    readonly code: number,
    readonly method: string,
    readonly path: string,
    readonly status: KubeStatus | undefined,
  ) {
    super(
      `${method} ${path}: ${code}${status?.reason ? ` ${status.reason}` : ''}: ${status?.message ?? 'no message'}`,
    );
  }

  /** The metav1.Status reason, e.g. "AlreadyExists", "Conflict", "Expired". */
  get reason(): string | undefined {
    return this.status?.reason;
  }
}

/** A request that never got an HTTP answer (connection refused, TLS failure, timeout). */
export class KubeTransportError extends Error {
  override readonly name = 'KubeTransportError';

  constructor(
    readonly method: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${method} ${path}: ${describeError(cause)}`);
  }
}

const codeShape = z.looseObject({ code: z.number().int() });
const statusCodeShape = z.looseObject({ statusCode: z.number().int() });
const bodyShape = z.looseObject({ body: z.unknown() });

/** The HTTP status carried by an error of any of the shapes above, or undefined for other errors. */
export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof KubeApiError) return err.code;
  const withCode = codeShape.safeParse(err);
  if (withCode.success && withCode.data.code >= 100 && withCode.data.code < 600) return withCode.data.code;
  const withStatusCode = statusCodeShape.safeParse(err);
  if (withStatusCode.success) return withStatusCode.data.statusCode;
  return undefined;
}

/** The metav1.Status reason, read from a KubeApiError or from an ApiException's body. */
export function reasonOf(err: unknown): string | undefined {
  if (err instanceof KubeApiError) return err.reason;
  const withBody = bodyShape.safeParse(err);
  if (!withBody.success) return undefined;
  const status = kubeStatusSchema.safeParse(withBody.data.body);
  return status.success ? status.data.reason : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
/** 409 for a stale resourceVersion; also AlreadyExists on create (see isAlreadyExists). */
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
export const isAlreadyExists = (err: unknown): boolean =>
  statusCodeOf(err) === 409 && reasonOf(err) === 'AlreadyExists';
/** 410: a resourceVersion or continue token older than the server keeps; the caller must re-list. */
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;
export const isTooManyRequests = (err: unknown): boolean => statusCodeOf(err) === 429;

/** A one-line description of anything thrown, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
