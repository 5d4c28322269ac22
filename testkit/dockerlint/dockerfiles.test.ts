// Every Dockerfile in the repository passes the checker (testkit/dockerlint/README.md): no container engine
// runs here, so this is what keeps them building in principle. A new Dockerfile fails the last test until it
// is listed with its build context.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { type DockerfileSpec, formatFindings, lintDockerfile } from './lint';

const ROOT = join(__dirname, '..', '..');

const annotations = z
  .object({ annotations: z.record(z.string(), z.string()) })
  .parse(parse(readFileSync(join(ROOT, 'bundle', 'metadata', 'annotations.yaml'), 'utf8'))).annotations;

/** Each Dockerfile with the context its header comment says to build it from. */
const SPECS: readonly DockerfileSpec[] = [
  { file: join(ROOT, 'controller', 'Dockerfile'), context: ROOT },
  {
    file: join(ROOT, 'speaker', 'Dockerfile'),
    context: ROOT,
    // render/speaker.ts: capabilities drop ALL, add NET_RAW, which a non-root process does not hold.
    rootReason: 'NET_RAW for AF_PACKET sockets (ARP/NDP) is effective only for root',
  },
  { file: join(ROOT, 'operator', 'Dockerfile'), context: ROOT },
  // OLM reads the bundle's labels from the image and from metadata/annotations.yaml; they must agree.
  {
    file: join(ROOT, 'bundle', 'bundle.Dockerfile'),
    context: join(ROOT, 'bundle'),
    expectedLabels: annotations,
  },
  {
    file: join(ROOT, 'olm', 'catalog.Dockerfile'),
    context: join(ROOT, 'olm'),
    expectedLabels: { 'operators.operatorframework.io.index.configs.v1': '/configs' },
  },
];

describe('the repository Dockerfiles', () => {
  test.each(SPECS.map((s) => [s.file.slice(ROOT.length + 1), s] as const))(
    '%s passes every rule',
    (_, spec) => {
      expect(formatFindings(spec, ROOT, lintDockerfile(spec))).toEqual([]);
    },
  );

  test('every Dockerfile git knows is checked', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      // Docker's names for them: Dockerfile, <name>.Dockerfile, Dockerfile.<suffix>.
      .filter((p) => /^(?:.+\.)?dockerfile(?:\.[^.]+)?$/i.test(p.split('/').at(-1) ?? ''));
    expect(tracked.sort()).toEqual(SPECS.map((s) => s.file.slice(ROOT.length + 1)).sort());
  });
});
