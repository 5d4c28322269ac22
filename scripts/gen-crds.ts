// Writes crds/*.yaml from the zod schemas in api/. `make crds` runs it; api/crdgen.test.ts fails when the
// committed files differ from what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdFiles } from '../api/crdfiles';

const outDir = join(__dirname, '..', 'crds');
mkdirSync(outDir, { recursive: true });
for (const { fileName, text } of renderCrdFiles()) {
  writeFileSync(join(outDir, fileName), text);
  console.log(`wrote crds/${fileName}`);
}
