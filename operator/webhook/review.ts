// The operator's validating webhook for MetalLB resources (upstream's metallbvalidationwebhook.metallb.io,
// metallb-operator api/v1beta1/metallb_webhook.go): CREATE and UPDATE are checked with validate.ts, DELETE is
// always allowed. Pure: an AdmissionReview in, the status and AdmissionReview to answer out.
import { z } from 'zod';
import { MetalLB } from '../../api/metallb';
import { describeViolations, validateMetalLBSpec, type ValidationEnvironment } from '../validate';

export const VALIDATE_METALLB_PATH = '/validate-metallb-io-v1beta1-metallb';

const AdmissionReview = z.looseObject({
  request: z.looseObject({
    uid: z.string(),
    name: z.string().optional(),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
    object: z.unknown().optional(),
  }),
});

export interface WebhookAnswer {
  readonly status: number;
  readonly body: unknown;
}

function answer(uid: string, denial?: string): WebhookAnswer {
  return {
    status: 200,
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response:
        denial === undefined
          ? { uid, allowed: true }
          : { uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: denial } },
    },
  };
}

export function reviewMetalLB(path: string, body: unknown, env: ValidationEnvironment = {}): WebhookAnswer {
  if (path !== VALIDATE_METALLB_PATH) return { status: 404, body: { error: `no webhook at ${path}` } };
  const review = AdmissionReview.safeParse(body);
  if (!review.success) return { status: 400, body: { error: 'not an AdmissionReview' } };
  const { uid, name, operation, object } = review.data.request;
  if (operation !== 'CREATE' && operation !== 'UPDATE') return answer(uid);
  const metallb = MetalLB.safeParse(object);
  const who = `MetalLB ${name ?? ''}`.trim();
  if (!metallb.success) {
    const issues = metallb.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return answer(uid, `${who}: ${issues}`);
  }
  const violations = validateMetalLBSpec(metallb.data.spec, env);
  return answer(uid, violations.length === 0 ? undefined : `${who}: ${describeViolations(violations)}`);
}
