import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ZOD_LOCALE_NAMES, zodLocaleFile } from './names';

const REPO = path.resolve(__dirname, '..', '..');

describe("the lazy stand-in for zod's locales index", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const real = require('zod/v4/locales') as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lazy = require('./locales') as Record<string, unknown>;

  it('exports exactly the names of the installed zod, in order', () => {
    expect(Object.keys(lazy)).toEqual(Object.keys(real));
    expect([...ZOD_LOCALE_NAMES]).toEqual(Object.keys(real));
  });

  it('gives the same locale function as the real index for every name', () => {
    for (const name of ZOD_LOCALE_NAMES) expect(lazy[name]).toBe(real[name]);
  });

  it('maps region names to zod file names', () => {
    expect(zodLocaleFile('frCA')).toBe('fr-CA.cjs');
    expect(zodLocaleFile('zhTW')).toBe('zh-TW.cjs');
    expect(zodLocaleFile('ota')).toBe('ota.cjs');
  });
});

describe('the load hook, in a real Node process', () => {
  // jest has its own module registry, so the hook is exercised where it runs: plain Node, as main.ts does.
  const probe = `
    require('./kube/zodlocales/loadhook');
    const { z } = require('zod');
    const loaded = () => Object.keys(require.cache).filter((k) => k.includes('/zod/v4/locales/')).map((k) => k.split('/').pop());
    const before = loaded();
    const english = z.string().safeParse(1).error.issues[0].message;
    z.config(z.locales.fr());
    const french = z.string().safeParse(1).error.issues[0].message;
    process.stdout.write(JSON.stringify({ before, english, french, names: Object.keys(z.locales).length, after: loaded() }));
  `;
  const run = (): { before: string[]; english: string; french: string; names: number; after: string[] } =>
    JSON.parse(
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', probe], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    ) as { before: string[]; english: string; french: string; names: number; after: string[] };

  it('loads only English until another locale is asked for, which then still works', () => {
    const r = run();
    expect(r.before).toEqual(['en.cjs']);
    expect(r.english).toBe('Invalid input: expected string, received number');
    expect(r.french).toMatch(/^Entrée invalide/);
    expect(r.names).toBe(ZOD_LOCALE_NAMES.length);
    expect(r.after.sort()).toEqual(['en.cjs', 'fr.cjs']);
  });
});
