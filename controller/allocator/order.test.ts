// Which pool a Service gets must not depend on the machine: pools are tried in code-point order of their
// names (config/errors.ts compareText), never in the process locale's collation order.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { compareText } from '../../config/errors';

const ROOT = path.resolve(__dirname, '../..');

/** What a fresh Node process under this locale picks, and how its ICU orders "aa" against "z". */
function firstPoolUnder(locale: string): { pool: string; localeOrder: number } {
  const script = `
    const { Allocator } = require('./controller/allocator/allocator');
    const { pool, svc, V4 } = require('./testkit/allocatorfixtures');
    const a = new Allocator();
    a.setPools([pool('z-pool', ['192.0.2.0/30']), pool('aa-pool', ['198.51.100.0/30'])]);
    const r = a.allocate(svc('default/web'), V4);
    process.stdout.write(JSON.stringify({ pool: r.ok ? r.pool : r.error.message, localeOrder: 'aa'.localeCompare('z') }));
  `;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LANG: locale, LC_ALL: locale },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { pool: string; localeOrder: number };
}

/** The reference order: code points compared one by one. */
function byCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const y = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

describe('pool order is the same under every locale', () => {
  it('a Danish and a C locale both try "aa-pool" before "z-pool"', () => {
    const danish = firstPoolUnder('da_DK.UTF-8');
    const c = firstPoolUnder('C');
    // This Node's ICU does follow the locale (Danish "aa" is "å", after "z"), so localeCompare would differ.
    expect(danish.localeOrder).toBeGreaterThan(0);
    expect(c.localeOrder).toBeLessThan(0);
    expect(danish.pool).toBe('aa-pool');
    expect(c.pool).toBe('aa-pool');
  }, 60_000);
});

describe('compareText', () => {
  it('orders by code point where collations differ: upper case before lower, astral after the BMP', () => {
    // Every ICU collation puts "a" before "B"; code points put "B" (U+0042) first.
    expect(compareText('B', 'a')).toBeLessThan(0);
    expect(compareText('aa-pool', 'z-pool')).toBeLessThan(0);
    // U+FF61 is one UTF-16 unit above the surrogates that spell U+1F600; by code point it comes first.
    expect(compareText('\uff61', '\u{1f600}')).toBeLessThan(0);
    expect(compareText('web', 'web-2')).toBeLessThan(0);
    expect(compareText('web', 'web')).toBe(0);
  });

  it('agrees in sign with a code-point by code-point comparison for any strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareText(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});
