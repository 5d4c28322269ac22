// The boundary rule, run the way `make test` runs it (ESLint on a file at a given path), against imports it
// must refuse and imports it must let through.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const ESLINT = path.join(ROOT, 'node_modules', '.bin', 'eslint');

function lint(file: string, source: string): { status: number | null; output: string } {
  const r = spawnSync(
    ESLINT,
    [
      '--no-warn-ignored',
      '--rule',
      '{"@typescript-eslint/no-unused-vars":"off"}',
      '--stdin',
      '--stdin-filename',
      file,
    ],
    {
      cwd: ROOT,
      input: source,
      encoding: 'utf8',
    },
  );
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('ironlb/layers', () => {
  test.each([
    [
      'shipped code importing a test helper',
      'controller/main.ts',
      "import '../testkit/fakeclock';",
      'controller/ may not import testkit/',
    ],
    [
      'shipped code importing the harness',
      'controller/x.ts',
      "import '../e2e/harness/readiness';",
      'controller/ may not import e2e/',
    ],
    [
      'a lower layer importing a higher one',
      'config/x.ts',
      "import '../controller/allocator/configpools';",
      'config/ may not import controller/',
    ],
    [
      'api importing kube',
      'api/x.ts',
      "import { RESOURCES } from '../kube/resource';",
      'api/ may not import kube/',
    ],
    [
      'a deployable importing another',
      'speaker/x.ts',
      "import '../controller/app/controller';",
      'speaker/ may not import controller/',
    ],
    [
      'the operator importing the speaker',
      'operator/x.ts',
      "export * from '../speaker/main';",
      'operator/ may not import speaker/',
    ],
    [
      'a require() of a test helper',
      'kube/x.ts',
      "require('../testkit/capturedlogger');",
      'kube/ may not import testkit/',
    ],
    [
      'shipped code importing a test file',
      'kube/x.ts',
      "import './rest.test';",
      'may not import a test file',
    ],
  ])('refuses %s', (_what, file, source, message) => {
    const r = lint(file, source);
    expect(r.status).toBe(1);
    expect(r.output).toContain(message);
  });

  test.each([
    [
      'a deployable importing shared code',
      'controller/x.ts',
      "import '../kube/rest';\nimport '../api/service';\nimport '../config/build';",
    ],
    [
      'a test in a shipped folder importing the test kit',
      'controller/x.test.ts',
      "import '../testkit/fakeclock';\nimport '../e2e/harness/readiness';",
    ],
    ['the operator importing the renderer', 'operator/x.ts', "import '../render/index';"],
    ['e2e importing anything', 'e2e/x.ts', "import '../controller/main';\nimport '../testkit/fakeclock';"],
  ])('allows %s', (_what, file, source) => {
    const r = lint(file, source);
    expect(r.output).not.toContain('ironlb/layers');
  });
});
