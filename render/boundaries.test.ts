// render/ is shared by the operator and the manifest generator: it may build on api/ and addr/ only, never on
// the deployables, the Kubernetes plumbing or the e2e harness.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const RENDER = __dirname;
const ALLOWED = ['render', 'api', 'addr'];

test('render/ imports only render/, api/, addr/ and packages', () => {
  const outside = readdirSync(RENDER)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(RENDER, file), 'utf8').matchAll(/^(?:import|export)\b[^'"]*?'(\.[^']*)'/gm)]
        .map((m) => m[1] ?? '')
        .filter(
          (spec) =>
            !ALLOWED.includes(relative(resolve(RENDER, '..'), resolve(RENDER, spec)).split('/')[0] ?? ''),
        )
        .map((spec) => `${file}: ${spec}`),
    );
  expect(outside).toEqual([]);
});
