import { LogsRequestError, parseContainerLogsRequest, tailLines } from './containerlogs';

function refusal(url: string): { status: number; message: string } {
  try {
    parseContainerLogsRequest(url);
  } catch (err) {
    if (err instanceof LogsRequestError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

describe('container logs requests', () => {
  test('the apiserver’s request for `kubectl logs -f --tail=5` parses', () => {
    expect(parseContainerLogsRequest('/containerLogs/ns1/web-1/main?follow=true&tailLines=5')).toEqual({
      namespace: 'ns1',
      pod: 'web-1',
      container: 'main',
      follow: true,
      tailLines: 5,
      limitBytes: undefined,
    });
  });

  test('without options: everything, no follow', () => {
    expect(parseContainerLogsRequest('/containerLogs/a/b/c')).toMatchObject({
      follow: false,
      tailLines: undefined,
      limitBytes: undefined,
    });
  });

  test('limitBytes is honoured', () => {
    expect(parseContainerLogsRequest('/containerLogs/a/b/c?limitBytes=100').limitBytes).toBe(100);
  });

  test.each(['timestamps=true', 'previous=true', 'sinceSeconds=10', 'sinceTime=2026-01-01T00:00:00Z'])(
    '%s is refused with 400, not silently ignored',
    (q) => {
      expect(refusal(`/containerLogs/a/b/c?${q}`).status).toBe(400);
    },
  );

  test('timestamps=false is fine', () => {
    expect(parseContainerLogsRequest('/containerLogs/a/b/c?timestamps=false').follow).toBe(false);
  });

  test('a bad number is a 400, another path a 404', () => {
    expect(refusal('/containerLogs/a/b/c?tailLines=-1').status).toBe(400);
    expect(refusal('/containerLogs/a/b').status).toBe(404);
    expect(refusal('/exec/a/b/c').status).toBe(404);
  });
});

describe('tailLines', () => {
  const text = Buffer.from('one\ntwo\nthree\n');
  test.each([
    [undefined, 'one\ntwo\nthree\n'],
    [0, ''],
    [1, 'three\n'],
    [2, 'two\nthree\n'],
    [3, 'one\ntwo\nthree\n'],
    [10, 'one\ntwo\nthree\n'],
  ])('tail %s', (n, want) => {
    expect(tailLines(text, n).toString()).toBe(want);
  });

  test('a last line without newline counts', () => {
    expect(tailLines(Buffer.from('a\nb\nc'), 2).toString()).toBe('b\nc');
  });
});
