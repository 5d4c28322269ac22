import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSource, lintDockerfile } from './lint';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockerlint-'));
  mkdirSync(join(dir, 'src', 'a'), { recursive: true });
  writeFileSync(join(dir, 'src', 'a', 'x.ts'), '');
  writeFileSync(join(dir, 'src', 'y.ts'), '');
  writeFileSync(join(dir, 'secret.env'), '');
  writeFileSync(join(dir, '.dockerignore'), '*.env\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lintDockerfile on a real build context', () => {
  test('expandSource finds plain paths and expands * per segment', () => {
    expect(expandSource(dir, 'src')).toEqual(['src']);
    expect(expandSource(dir, './src/*.ts')).toEqual(['src/y.ts']);
    expect(expandSource(dir, 'src/*/x.ts')).toEqual(['src/a/x.ts']);
    expect(expandSource(dir, 'lib')).toEqual([]);
    expect(expandSource(dir, '.')).toEqual(['.']);
  });

  test("reads the context's .dockerignore and reports missing and ignored sources", () => {
    const file = join(dir, 'Dockerfile');
    writeFileSync(
      file,
      'FROM node:24-slim\nCOPY src/*.ts /app/\nCOPY lib /lib\nCOPY secret.env /e\nUSER 1\nCMD ["node", "/app/y.js"]\n',
    );
    expect(lintDockerfile({ file, context: dir }).map((f) => `${f.line} ${f.rule}`)).toEqual([
      '3 copy-source',
      '4 copy-source',
    ]);
  });
});
