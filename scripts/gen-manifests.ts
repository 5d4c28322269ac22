// Writes manifests/ironlb-native.yaml from the render functions in render/ with their default options.
// render/manifestfile.test.ts fails when the committed file differs from what this would write.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderManifestFile } from '../render/manifestfile';

const file = join(__dirname, '..', 'manifests', 'ironlb-native.yaml');
writeFileSync(file, renderManifestFile());
console.log('wrote manifests/ironlb-native.yaml');
