// Writes the OLM bundle (bundle/manifests, bundle/metadata, bundle/bundle.Dockerfile) and the file-based
// catalog (olm/) from render/bundlefiles.ts for package.json's version. render/bundlefiles.test.ts fails when
// the committed files differ from what this would write.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { renderBundleFiles } from '../render/bundlefiles';
import { releaseBundleOptions } from '../render/csv';

const root = join(__dirname, '..');
const { version } = z
  .looseObject({ version: z.string() })
  .parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
for (const file of renderBundleFiles(releaseBundleOptions(version))) {
  mkdirSync(dirname(join(root, file.path)), { recursive: true });
  writeFileSync(join(root, file.path), file.text);
  console.log(`wrote ${file.path}`);
}
