import {
  KubeApiError,
  KubeTransportError,
  describeError,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  isTooManyRequests,
  reasonOf,
  statusCodeOf,
} from './errors';

/** The shape of client-node 2.x's ApiException (code, body, headers), without importing the ESM package. */
class ApiExceptionLike extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP-Code: ${code}`);
  }
}

describe('statusCodeOf', () => {
  it.each<[string, unknown, number | undefined]>([
    ['KubeApiError', new KubeApiError(404, 'GET', '/x', { reason: 'NotFound' }), 404],
    ['client-node ApiException', new ApiExceptionLike(409, { kind: 'Status', reason: 'Conflict' }), 409],
    ['client-node Watch failure', Object.assign(new Error('Gone'), { statusCode: 410 }), 410],
    ['a Node system error code', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), undefined],
    ['a plain error', new Error('x'), undefined],
    ['a transport error', new KubeTransportError('GET', '/x', new Error('reset')), undefined],
    ['not an error at all', 'oops', undefined],
  ])('reads %s', (_what, err, code) => {
    expect(statusCodeOf(err)).toBe(code);
  });
});

describe('reasonOf and the predicates', () => {
  it('tells AlreadyExists from a resourceVersion conflict, for both error shapes', () => {
    const exists = new ApiExceptionLike(409, { kind: 'Status', code: 409, reason: 'AlreadyExists' });
    const stale = new KubeApiError(409, 'PUT', '/x', { reason: 'Conflict' });
    expect(reasonOf(exists)).toBe('AlreadyExists');
    expect([isConflict(exists), isAlreadyExists(exists)]).toEqual([true, true]);
    expect([isConflict(stale), isAlreadyExists(stale)]).toEqual([true, false]);
  });

  it('reads no reason from an ApiException whose body is text', () => {
    expect(reasonOf(new ApiExceptionLike(502, '<html>'))).toBeUndefined();
  });

  it.each<[(e: unknown) => boolean, number]>([
    [isNotFound, 404],
    [isGone, 410],
    [isTooManyRequests, 429],
  ])('%p matches %i only', (predicate, code) => {
    expect(predicate(new KubeApiError(code, 'GET', '/', undefined))).toBe(true);
    expect(predicate(new KubeApiError(500, 'GET', '/', undefined))).toBe(false);
  });
});

describe('KubeApiError', () => {
  it('names the request, code, reason and message', () => {
    const err = new KubeApiError(422, 'PATCH', '/apis/metallb.io/v1beta1/namespaces/m/ipaddresspools/web', {
      reason: 'Invalid',
      message: 'spec.addresses[2]: Invalid value',
    });
    expect(err.message).toBe(
      'PATCH /apis/metallb.io/v1beta1/namespaces/m/ipaddresspools/web: 422 Invalid: spec.addresses[2]: Invalid value',
    );
  });
});

describe('describeError', () => {
  it('describes errors, strings, objects and cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ a: 1 })).toBe('{"a":1}');
    expect(describeError(cyclic)).toBe('[object Object]');
  });
});
