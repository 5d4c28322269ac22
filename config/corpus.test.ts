// The YAML corpus: every example MetalLB's documentation shows for the metallb.io kinds (valid/) and one file
// per rule that rejects configuration (invalid/). Valid documents must pass their schema one by one and build
// into a config together; each invalid file must be rejected with a message containing its `# expect:` line,
// which names the object and the field.
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { buildConfig } from './build';
import { fieldPath } from './errors';
import { ClusterResources, LabelledObject, SecretObject } from './resources';
import { objectRef } from '../api/meta';
import { MetalLB } from '../api/metallb';
import { objectSchemas } from '../api/resources';

type Bucket = keyof ClusterResources | 'metallbs';

/** The registry's kinds (every served version) plus the core kinds the config reads. */
const KINDS: Record<string, { schema: z.ZodType; bucket: Bucket }> = {
  ...Object.fromEntries(
    [...objectSchemas()].flatMap(([key, { schema, def }]) => {
      const bucket: Bucket | undefined = def.kind === 'MetalLB' ? 'metallbs' : def.configList;
      return bucket === undefined ? [] : [[key, { schema, bucket }]];
    }),
  ),
  'v1/Secret': { schema: SecretObject, bucket: 'secrets' },
  'v1/Node': { schema: LabelledObject, bucket: 'nodes' },
  'v1/Namespace': { schema: LabelledObject, bucket: 'namespaces' },
};

interface Doc {
  readonly key: string;
  readonly raw: Record<string, unknown>;
}

const dir = (which: 'valid' | 'invalid') => join(__dirname, '..', 'api', 'corpus', which);
const files = (which: 'valid' | 'invalid') =>
  readdirSync(dir(which))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

function readDocs(path: string): Doc[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${path}: ${d.errors.map((e) => e.message).join('; ')}`);
    const raw = d.toJS() as Record<string, unknown>;
    return { key: `${String(raw['apiVersion'])}/${String(raw['kind'])}`, raw };
  });
}

function kindOf(doc: Doc) {
  const kind = KINDS[doc.key];
  if (!kind) throw new Error(`no schema for ${doc.key}`);
  return kind;
}

function resourcesOf(docs: readonly Doc[]): ClusterResources {
  const out: Record<string, unknown[]> = {};
  for (const doc of docs) {
    const { bucket } = kindOf(doc);
    if (bucket !== 'metallbs') (out[bucket] ??= []).push(doc.raw);
  }
  return out;
}

/** Every message a file's documents produce: schema errors of kinds outside the config, then buildConfig's. */
function rejectionMessages(docs: readonly Doc[]): string[] {
  const messages: string[] = [];
  for (const doc of docs) {
    if (kindOf(doc).bucket !== 'metallbs') continue;
    const result = MetalLB.safeParse(doc.raw);
    const meta = (doc.raw['metadata'] ?? {}) as { namespace?: string; name?: string };
    if (!result.success) {
      for (const issue of result.error.issues)
        messages.push(`${objectRef('MetalLB', meta)}: ${fieldPath(issue.path)}: ${issue.message}`);
    }
  }
  const built = buildConfig(resourcesOf(docs));
  if (!built.ok) messages.push(...built.errors.map((e) => e.message));
  return messages;
}

describe('corpus: documented examples', () => {
  const all = files('valid').flatMap((f) => readDocs(join(dir('valid'), f)).map((doc) => ({ file: f, doc })));

  test('covers every kind of the API', () => {
    const keys = new Set(all.map(({ doc }) => doc.key));
    for (const key of Object.keys(KINDS).filter((k) => k.startsWith('metallb.io/')))
      expect(keys).toContain(key);
  });

  test.each(
    all.map(
      ({ file, doc }) =>
        [
          `${file}: ${doc.key} ${String((doc.raw['metadata'] as { name?: string } | undefined)?.name)}`,
          doc,
        ] as const,
    ),
  )('%s parses with its schema', (_name, doc) => {
    const result = kindOf(doc).schema.safeParse(doc.raw);
    if (!result.success) throw new Error(result.error.message);
  });

  test('together build into one config with no errors', () => {
    const result = buildConfig(resourcesOf(all.map(({ doc }) => doc)));
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    expect(result.config.pools.size).toBeGreaterThan(10);
    expect(result.config.peers.size).toBeGreaterThan(10);
  });
});

describe('corpus: rejected configurations', () => {
  test.each(files('invalid'))('%s', (file) => {
    const text = readFileSync(join(dir('invalid'), file), 'utf8');
    const match = /^# expect: (.+)$/m.exec(text.split('\n')[0] ?? '');
    expect(match).not.toBeNull();
    const expectation = match?.[1] ?? '';
    // The expectation names the object (`Kind namespace/name`) and the field (`spec.…` or `metadata.…`).
    expect(expectation).toMatch(
      /^[A-Za-z0-9]+ [a-z0-9.-]+\/[A-Za-z0-9.-]+: (spec|metadata)[A-Za-z0-9.[\]]*[ :]/,
    );
    const messages = rejectionMessages(readDocs(join(dir('invalid'), file)));
    if (!messages.some((m) => m.includes(expectation))) {
      throw new Error(`no message contains ${JSON.stringify(expectation)}; got:\n${messages.join('\n')}`);
    }
  });
});
