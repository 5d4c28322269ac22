import { parseProberLine } from './prober';

describe('parseProberLine', () => {
  it('reads successes with the answering node and failures with their reason', () => {
    expect(parseProberLine('ok 1700000000000 1700000000012 node2')).toEqual({
      ok: true,
      startMs: 1700000000000,
      endMs: 1700000000012,
      detail: 'node2',
    });
    expect(parseProberLine('fail 1700000000020 1700000001021 timeout')).toEqual({
      ok: false,
      startMs: 1700000000020,
      endMs: 1700000001021,
      detail: 'timeout',
    });
  });

  it('ignores the banner and partial lines', () => {
    expect(parseProberLine('probing 192.0.2.192:8080 every 20ms')).toBeUndefined();
    expect(parseProberLine('ok 17000')).toBeUndefined();
    expect(parseProberLine('')).toBeUndefined();
  });
});
