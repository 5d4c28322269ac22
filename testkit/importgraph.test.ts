import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importsOf, moduleGraph, packageOf } from './importgraph';

describe('importsOf', () => {
  it('keeps run-time imports and drops type-only ones', () => {
    const text = [
      "import type { A } from 'types-only';",
      "import { type B, c } from 'mixed';",
      "import * as d from './d';",
      "export { e } from './e';",
      "export type { F } from './f';",
      "import g = require('g');",
      "const h = () => import('lazy-h');",
      "const i = require('lazy-i');",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: 'mixed', lazy: false },
      { specifier: './d', lazy: false },
      { specifier: './e', lazy: false },
      { specifier: 'g', lazy: false },
      { specifier: 'lazy-h', lazy: true },
      { specifier: 'lazy-i', lazy: true },
    ]);
  });
});

describe('packageOf', () => {
  it.each([
    ['@kubernetes/client-node/dist/config', '@kubernetes/client-node'],
    ['yaml', 'yaml'],
    ['node:fs', 'node:fs'],
    ['winston/lib/x', 'winston'],
  ])('%s -> %s', (spec, name) => expect(packageOf(spec)).toBe(name));
});

describe('moduleGraph', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'importgraph-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it('finds a package two files away through an index module, with the chain that reaches it', () => {
    const main = write('main.ts', "import { a } from './lib';\n");
    write('lib/index.ts', "export { a } from './a';\n");
    write(
      'lib/a.ts',
      "import { KubeConfig } from '@kubernetes/client-node/dist/config';\nexport const a = 1;\n",
    );
    const graph = moduleGraph(main);
    expect(graph.packages.get('@kubernetes/client-node')).toEqual({
      chain: [main, path.join(dir, 'lib/index.ts'), path.join(dir, 'lib/a.ts')],
      lazy: false,
    });
  });

  it('does not count a package reached only through type imports', () => {
    const main = write('main.ts', "import type { T } from './t';\nimport { u } from './u';\n");
    write('t.ts', "import { KubeConfig } from '@kubernetes/client-node';\n");
    write('u.ts', "import type { KubeConfig } from '@kubernetes/client-node';\nexport const u = 1;\n");
    expect(moduleGraph(main).packages.has('@kubernetes/client-node')).toBe(false);
  });

  it('marks a package reached through import() as lazy, and eager once a static path also reaches it', () => {
    const main = write('main.ts', "export const load = () => import('./heavy');\n");
    write('heavy.ts', "import 'heavy-package';\n");
    expect(moduleGraph(main).packages.get('heavy-package')?.lazy).toBe(true);
    write('main.ts', "export const load = () => import('./heavy');\nimport './eager';\n");
    write('eager.ts', "import './heavy';\n");
    expect(moduleGraph(main).packages.get('heavy-package')?.lazy).toBe(false);
  });

  it('fails on a relative import it cannot resolve instead of skipping it', () => {
    const main = write('main.ts', "import './missing';\n");
    expect(() => moduleGraph(main)).toThrow('cannot resolve ./missing');
  });
});
