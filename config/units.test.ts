// The small parsers the config is built from: durations, communities, label selectors.
import { compareCommunities, parseCommunity } from './community';
import { parseDuration } from './duration';
import { formatSelector, parseSelector, selectorMatches } from './selector';

describe('parseDuration (Go time.ParseDuration)', () => {
  test.each([
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['0', 0],
    ['-3s', -3000],
    ['2h45m', 9_900_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', '10', 's', '1x', '1s2', 'one second', '.s'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('parseCommunity', () => {
  test('standard community packs two 16-bit halves', () => {
    expect(parseCommunity('65535:1')).toEqual({
      ok: true,
      community: { kind: 'standard', value: 0xffff0001, text: '65535:1' },
    });
  });
  test('large community keeps three 32-bit values', () => {
    expect(parseCommunity('large:4294967295:0:7')).toEqual({
      ok: true,
      community: {
        kind: 'large',
        globalAdministrator: 4294967295,
        localData1: 0,
        localData2: 7,
        text: 'large:4294967295:0:7',
      },
    });
  });
  test.each(['1234', 'a:b:c', 'name'])('%s is a format problem (maybe an alias)', (text) => {
    expect(parseCommunity(text)).toMatchObject({ ok: false, problem: 'format' });
  });
  test.each(['65536:1', '1:x', 'large:1:2:x', 'huge:1:2:3', ':1'])('%s is a value problem', (text) => {
    expect(parseCommunity(text)).toMatchObject({ ok: false, problem: 'value' });
  });
  test('standard communities sort as <value>:0:0 among large ones', () => {
    const c = (t: string) => {
      const r = parseCommunity(t);
      if (!r.ok) throw new Error(t);
      return r.community;
    };
    expect(
      [c('large:1:0:1'), c('0:2'), c('large:0:0:1')].sort(compareCommunities).map((x) => x.text),
    ).toEqual(['large:0:0:1', 'large:1:0:1', '0:2']);
  });
});

describe('label selectors', () => {
  const parse = (raw: Parameters<typeof parseSelector>[0]) => {
    const r = parseSelector(raw);
    if (!r.ok) throw new Error(r.reason);
    return r.selector;
  };

  test('an empty selector matches everything', () => {
    expect(selectorMatches(parse({}), {})).toBe(true);
  });

  test.each([
    [{ matchLabels: { a: 'b' } }, { a: 'b' }, true],
    [{ matchLabels: { a: 'b' } }, { a: 'c' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'y'] }] }, { a: 'y' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] }, { a: 'x' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '' }, false],
    [{ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'Exists' }] }, { a: 'b' }, false],
  ])('%j against %j is %s', (raw, labels, want) => {
    expect(selectorMatches(parse(raw), labels)).toBe(want);
  });

  test('formats as labels.Selector.String() does', () => {
    expect(
      formatSelector(
        parse({
          matchLabels: { foo: 'bar' },
          matchExpressions: [{ key: 'bar', operator: 'In', values: ['quux'] }],
        }),
      ),
    ).toBe('bar=quux,foo=bar');
    expect(
      formatSelector(
        parse({
          matchExpressions: [
            { key: 'x', operator: 'NotIn', values: ['b', 'a'] },
            { key: 'y', operator: 'DoesNotExist' },
          ],
        }),
      ),
    ).toBe('x notin (a,b),!y');
  });

  test.each([
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: values set must be empty for exists and does not exist',
    ],
    [{ matchLabels: { a: 'not valid!' } }, /invalid label value/],
    [{ matchLabels: { 'UPPER.example.com/x': 'y' } }, /prefix must be a DNS subdomain/],
  ])('%j is invalid', (raw, reason) => {
    const r = parseSelector(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
