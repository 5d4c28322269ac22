// olm/catalog passes the file-based catalog checks (testkit/fbc/validate.ts), and its bundle is the one
// bundle/manifests describes: what `opm validate olm/catalog` and an `opm render` of the bundle image would
// agree on, checked without opm (testkit/fbc/README.md says why).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateCatalog } from './validate';

const ROOT = join(__dirname, '..', '..');
const CATALOG = join(ROOT, 'olm', 'catalog');

/** Every blob of every .yaml/.yml/.json file under the catalog root, as opm walks it. */
function readBlobs(dir: string): unknown[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(?:ya?ml|json)$/.test(e.name))
    .flatMap((e) =>
      parseAllDocuments(readFileSync(join(e.parentPath, e.name), 'utf8')).map((d) => d.toJS() as unknown),
    )
    .filter((b) => b !== null);
}

const csvFile = readdirSync(join(ROOT, 'bundle', 'manifests')).find((f) =>
  f.endsWith('.clusterserviceversion.yaml'),
);
const csv: unknown = parseAllDocuments(
  readFileSync(join(ROOT, 'bundle', 'manifests', csvFile ?? ''), 'utf8'),
)[0]?.toJS();

describe('olm/catalog', () => {
  test('holds a package, a channel and a bundle', () => {
    const schemas = readBlobs(CATALOG).map((b) => (b as { schema?: unknown }).schema);
    expect(schemas).toEqual(['olm.package', 'olm.channel', 'olm.bundle']);
  });

  test('passes every file-based catalog check and agrees with the bundle CSV', () => {
    expect(validateCatalog(readBlobs(CATALOG), csv)).toEqual([]);
  });
});
