import { z } from 'zod';
import { VALIDATE_METALLB_PATH, reviewMetalLB } from './review';

const review = (operation: string, object?: unknown) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u-1', name: 'metallb', operation, ...(object !== undefined ? { object } : {}) },
});
const metallb = (spec: Record<string, unknown>) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'MetalLB',
  metadata: { name: 'metallb', namespace: 'metallb-system' },
  spec,
});
const responseOf = (body: unknown) =>
  z.looseObject({ response: z.record(z.string(), z.unknown()) }).parse(body).response;

describe('reviewMetalLB', () => {
  test('allows a valid MetalLB, answering with the request uid', () => {
    const out = reviewMetalLB(VALIDATE_METALLB_PATH, review('CREATE', metallb({ logLevel: 'debug' })));
    expect(out).toEqual({
      status: 200,
      body: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: 'u-1', allowed: true },
      },
    });
  });

  test('denies an invalid update with the field and the reason', () => {
    const spec = { controllerTolerations: [{ key: 'a', effect: 'NoSchedule', tolerationSeconds: 5 }] };
    const out = reviewMetalLB(VALIDATE_METALLB_PATH, review('UPDATE', metallb(spec)));
    expect(responseOf(out.body)).toEqual({
      uid: 'u-1',
      allowed: false,
      status: {
        code: 403,
        reason: 'Forbidden',
        message:
          'MetalLB metallb: spec.controllerTolerations[0].effect: must be NoExecute when tolerationSeconds is set',
      },
    });
  });

  test('denies what the schema refuses, naming the path', () => {
    const out = reviewMetalLB(VALIDATE_METALLB_PATH, review('CREATE', metallb({ logLevel: 'loud' })));
    expect(responseOf(out.body)).toMatchObject({ allowed: false });
    expect(JSON.stringify(out.body)).toContain('spec.logLevel');
  });

  test('always allows a delete', () => {
    expect(responseOf(reviewMetalLB(VALIDATE_METALLB_PATH, review('DELETE')).body)).toEqual({
      uid: 'u-1',
      allowed: true,
    });
  });

  test('another path is 404, a body that is not a review is 400', () => {
    expect(reviewMetalLB('/validate-other', review('CREATE')).status).toBe(404);
    expect(reviewMetalLB(VALIDATE_METALLB_PATH, { hello: 1 }).status).toBe(400);
  });
});
