import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseAllDocuments } from 'yaml';
import { CONTROLLER_RBAC } from './controllerrbac';
import { renderInstall } from './install';
import { GENERATE_COMMAND, NoteError, renderManifestFile, toYaml } from './manifestfile';
import { annotated } from './object';

const MANIFEST = join(__dirname, '..', 'manifests', 'ironlb-native.yaml');
const committed = readFileSync(MANIFEST, 'utf8');

describe('manifests/ironlb-native.yaml', () => {
  test('is what the generator writes from render/', () => {
    const rendered = renderManifestFile();
    if (committed === rendered) return;
    const ours = committed.split('\n');
    const theirs = rendered.split('\n');
    const line = ours.findIndex((l, i) => l !== theirs[i]);
    throw new Error(
      `manifests/ironlb-native.yaml is stale: run \`${GENERATE_COMMAND}\` and commit the result.\n` +
        `first difference at line ${line + 1}:\n  committed: ${ours[line] ?? '(end of file)'}\n` +
        `  rendered:  ${theirs[line] ?? '(end of file)'}`,
    );
  });

  test('holds exactly the objects server-side apply gets, the comments changing no data', () => {
    expect(parseAllDocuments(committed).map((d) => d.toJS() as unknown)).toEqual(renderInstall());
  });

  test("prints each controller RBAC rule group's reason as the comment above its first rule", () => {
    const docs = parseAllDocuments(committed);
    const commentsAbove = (kind: string): string[] => {
      const doc = docs.find((d) => d.get('kind') === kind);
      const rules = doc?.get('rules');
      if (!isSeq(rules)) throw new Error(`${kind} has no rules`);
      // The parser hangs a comment above the first item on the sequence itself.
      const above = rules.items.map(
        (r, i) => (isMap(r) ? r.commentBefore : undefined) ?? (i === 0 ? rules.commentBefore : undefined),
      );
      return above.filter((c) => c !== undefined && c !== null);
    };
    const reasons = (groups: typeof CONTROLLER_RBAC.clusterRules) =>
      groups.map((g) => ' ' + g.why.split('\n').join('\n '));
    expect(commentsAbove('ClusterRole')).toEqual(reasons(CONTROLLER_RBAC.clusterRules));
    expect(commentsAbove('Role')).toEqual(reasons(CONTROLLER_RBAC.namespacedRules));
  });
});

describe('toYaml', () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' } };

  test('puts a note with an empty path above the document', () => {
    expect(toYaml(annotated(secret, { path: [], text: 'why\nand why' }))).toMatch(
      /^# why\n# and why\napiVersion: v1\n/,
    );
  });

  test('refuses a note whose path is not in the object, naming the object and the path', () => {
    expect(() => toYaml(annotated(secret, { path: ['data', 'missing'], text: 'x' }))).toThrow(
      new NoteError('Secret s: no node at data.missing for note "x"'),
    );
  });

  test('inlines short lists of names and writes long ones one a line', () => {
    const role = {
      apiVersion: 'v1',
      kind: 'Role',
      metadata: { name: 'r' },
      rules: [{ verbs: ['get', 'list'], resources: Array.from({ length: 12 }, (_, i) => `resource${i}`) }],
    };
    const text = toYaml(annotated(role));
    expect(text).toContain('verbs: [get, list]\n');
    expect(text).toContain('resources:\n      - resource0\n      - resource1\n');
  });
});
