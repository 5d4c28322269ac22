// The checks `opm validate` runs on a file-based catalog, written from the FBC specification
// (https://olm.operatorframework.io/docs/reference/file-based-catalogs/) and the rules of operator-registry's
// alpha/declcfg (ConvertToModel) and alpha/model (Package, Channel, Bundle Validate). operator-registry is not
// served by the Go module proxy on these machines (testkit/fbc/README.md), so opm itself cannot run here.
// Pure: the catalog's blobs (and, when given, the bundle's ClusterServiceVersion) in, findings out.
import { z } from 'zod';

export interface Finding {
  /** What the finding is about: `olm.channel ironlb-operator/candidate`. */
  readonly object: string;
  readonly check: string;
  readonly message: string;
}

const Icon = z.looseObject({ base64data: z.string(), mediatype: z.string() });
const PackageBlob = z.looseObject({
  schema: z.literal('olm.package'),
  name: z.string(),
  defaultChannel: z.string().optional(),
  icon: Icon.optional(),
});
const Entry = z.looseObject({
  name: z.string(),
  replaces: z.string().optional(),
  skips: z.array(z.string()).optional(),
  skipRange: z.string().optional(),
});
const ChannelBlob = z.looseObject({
  schema: z.literal('olm.channel'),
  package: z.string(),
  name: z.string(),
  entries: z.array(Entry),
});
const Property = z.looseObject({ type: z.string(), value: z.unknown() });
const BundleBlob = z.looseObject({
  schema: z.literal('olm.bundle'),
  name: z.string(),
  package: z.string(),
  image: z.string().optional(),
  properties: z.array(Property).optional(),
  relatedImages: z.array(z.looseObject({ name: z.string().optional(), image: z.string() })).optional(),
});
const PackageProperty = z.object({ packageName: z.string(), version: z.string() });
const GvkProperty = z.object({ group: z.string(), version: z.string(), kind: z.string() });

/** What the catalog's bundle must agree with: its ClusterServiceVersion. */
const Csv = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    version: z.string(),
    customresourcedefinitions: z
      .looseObject({
        owned: z.array(z.looseObject({ name: z.string(), version: z.string(), kind: z.string() })).optional(),
      })
      .optional(),
    relatedImages: z.array(z.looseObject({ image: z.string() })).optional(),
  }),
});

// semver 2.0.0 section 9 and 10 (https://semver.org/#spec-item-9), as blang/semver parses it for opm.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** blang/semver ParseRange: comparator-version terms joined by spaces (AND) and `||` (OR). */
const RANGE_TERM = /^(?:[<>]=?|=|!=)?v?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** `[registry[:port]/]path[:tag][@sha256:hex]`, lower-case path components (distribution/reference grammar). */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ICON_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml'];

export function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

export function isSemverRange(r: string): boolean {
  const ors = r.split('||').map((s) => s.trim());
  return ors.every((or) => or !== '' && or.split(/\s+/).every((t) => RANGE_TERM.test(t)));
}

/** Does the decoded icon look like its media type says (what http.DetectContentType tells opm)? */
function iconMatches(data: Buffer, mediatype: string): boolean {
  switch (mediatype) {
    case 'image/png':
      return data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg':
      return data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
    case 'image/gif':
      return /^GIF8[79]a/.test(data.subarray(0, 6).toString('latin1'));
    case 'image/svg+xml':
      return /<svg[\s>]/.test(data.subarray(0, 4096).toString('utf8'));
    default:
      return false;
  }
}

function checkIcon(object: string, icon: z.infer<typeof Icon>, out: Finding[]): void {
  const add = (message: string) => out.push({ object, check: 'icon', message });
  if (!ICON_TYPES.includes(icon.mediatype))
    add(`icon mediatype ${icon.mediatype} is not one of ${ICON_TYPES.join(', ')}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(icon.base64data) || icon.base64data.length % 4 !== 0) {
    add('icon base64data is not base64');
    return;
  }
  const data = Buffer.from(icon.base64data, 'base64');
  if (data.length === 0) add('icon data is empty');
  else if (ICON_TYPES.includes(icon.mediatype) && !iconMatches(data, icon.mediatype))
    add(`icon data is not ${icon.mediatype}`);
}

/**
 * One channel's upgrade graph (alpha/model Channel.Validate): exactly one head (an entry no other entry
 * replaces or skips), a replaces chain from it without cycles, and every entry on that chain or skipped by it.
 */
function checkGraph(object: string, entries: readonly z.infer<typeof Entry>[], out: Finding[]): void {
  const add = (check: string, message: string) => out.push({ object, check, message });
  const names = new Set(entries.map((e) => e.name));
  const replacedOrSkipped = new Set(
    entries.flatMap((e) => [...(e.replaces ? [e.replaces] : []), ...(e.skips ?? [])]),
  );
  const heads = entries.filter((e) => !replacedOrSkipped.has(e.name));
  if (heads.length !== 1) {
    add(
      'channel-head',
      heads.length === 0
        ? 'no head: every entry is replaced or skipped by another (a cycle)'
        : `${heads.length} heads (${heads.map((h) => h.name).join(', ')}): a channel has exactly one`,
    );
    return;
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const reached = new Set<string>();
  for (let at = heads[0]; at !== undefined; at = at.replaces ? byName.get(at.replaces) : undefined) {
    if (reached.has(at.name)) {
      add('channel-cycle', `the replaces chain from ${heads[0]?.name ?? ''} returns to ${at.name}`);
      return;
    }
    reached.add(at.name);
    for (const s of at.skips ?? []) reached.add(s);
  }
  const stranded = [...names].filter((n) => !reached.has(n));
  if (stranded.length > 0)
    add(
      'channel-stranded',
      `entries not reachable from the head ${heads[0]?.name ?? ''}: ${stranded.join(', ')}`,
    );
}

function parseBlob<T>(schema: z.ZodType<T>, blob: unknown, label: string, out: Finding[]): T | undefined {
  const parsed = schema.safeParse(blob);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  out.push({
    object: label,
    check: 'shape',
    message: `${issue?.path.join('.') || '(blob)'}: ${issue?.message ?? 'invalid'}`,
  });
  return undefined;
}

/** Every check on the catalog; with `csv`, also that the one bundle named as the CSV describes it. */
export function validateCatalog(blobs: readonly unknown[], csvInput?: unknown): Finding[] {
  const out: Finding[] = [];
  const add = (object: string, check: string, message: string): void => {
    out.push({ object, check, message });
  };
  const packages: z.infer<typeof PackageBlob>[] = [];
  const channels: z.infer<typeof ChannelBlob>[] = [];
  const bundles: z.infer<typeof BundleBlob>[] = [];

  blobs.forEach((blob, i) => {
    const schema = z.looseObject({ schema: z.string().min(1) }).safeParse(blob);
    if (!schema.success) {
      add(`blob ${i + 1}`, 'schema', 'has no schema');
      return;
    }
    const label = `blob ${i + 1} (${schema.data.schema})`;
    if (schema.data.schema === 'olm.package') {
      const p = parseBlob(PackageBlob, blob, label, out);
      if (p) packages.push(p);
    } else if (schema.data.schema === 'olm.channel') {
      const c = parseBlob(ChannelBlob, blob, label, out);
      if (c) channels.push(c);
    } else if (schema.data.schema === 'olm.bundle') {
      const b = parseBlob(BundleBlob, blob, label, out);
      if (b) bundles.push(b);
    } // other schemas are meta blobs the spec allows (olm.deprecations, custom ones)
  });

  const seen = new Set<string>();
  const unique = (object: string, key: string) => {
    if (seen.has(key)) add(object, 'duplicate', `${object} is declared twice`);
    seen.add(key);
  };

  for (const p of packages) {
    const object = `olm.package ${p.name}`;
    unique(object, `p/${p.name}`);
    if (p.name === '') add(object, 'package', 'package name is empty');
    const own = channels.filter((c) => c.package === p.name);
    if (own.length === 0) add(object, 'package', 'package has no channels');
    if (p.defaultChannel === undefined || p.defaultChannel === '')
      add(object, 'default-channel', 'package has no defaultChannel');
    else if (!own.some((c) => c.name === p.defaultChannel))
      add(object, 'default-channel', `defaultChannel ${p.defaultChannel} is not a channel of the package`);
    if (p.icon) checkIcon(object, p.icon, out);
  }

  const packageNames = new Set(packages.map((p) => p.name));
  for (const c of channels) {
    const object = `olm.channel ${c.package}/${c.name}`;
    unique(object, `c/${c.package}/${c.name}`);
    if (c.name === '') add(object, 'channel', 'channel name is empty');
    if (!packageNames.has(c.package)) add(object, 'unknown-package', `package ${c.package} is not declared`);
    if (c.entries.length === 0) add(object, 'channel', 'channel has no entries');
    const entryNames = new Set<string>();
    for (const e of c.entries) {
      if (entryNames.has(e.name)) add(object, 'duplicate', `entry ${e.name} is listed twice`);
      entryNames.add(e.name);
      if (!bundles.some((b) => b.package === c.package && b.name === e.name))
        add(object, 'unknown-bundle', `entry ${e.name} names no olm.bundle of package ${c.package}`);
      if (e.replaces === e.name) add(object, 'channel-cycle', `entry ${e.name} replaces itself`);
      if (e.skipRange !== undefined && !isSemverRange(e.skipRange))
        add(object, 'skip-range', `entry ${e.name}: skipRange ${e.skipRange} is not a semver range`);
    }
    if (c.entries.length > 0) checkGraph(object, c.entries, out);
  }

  for (const b of bundles) {
    const object = `olm.bundle ${b.name}`;
    unique(object, `b/${b.package}/${b.name}`);
    if (!packageNames.has(b.package)) add(object, 'unknown-package', `package ${b.package} is not declared`);
    if (!channels.some((c) => c.package === b.package && c.entries.some((e) => e.name === b.name)))
      add(object, 'no-channel', 'bundle is in no channel of its package');
    if (b.image === undefined || b.image === '') add(object, 'image', 'bundle has no image');
    else if (!IMAGE_REF.test(b.image)) add(object, 'image', `image ${b.image} is not an image reference`);
    for (const r of b.relatedImages ?? [])
      if (!IMAGE_REF.test(r.image))
        add(object, 'image', `related image ${r.image} is not an image reference`);
    const props = b.properties ?? [];
    const pkgProps = props.filter((p) => p.type === 'olm.package');
    if (pkgProps.length !== 1)
      add(object, 'package-property', `${pkgProps.length} olm.package properties, not 1`);
    for (const p of pkgProps) {
      const v = PackageProperty.safeParse(p.value);
      if (!v.success) add(object, 'package-property', 'olm.package property needs packageName and version');
      else {
        if (v.data.packageName !== b.package)
          add(
            object,
            'package-property',
            `olm.package names ${v.data.packageName}, the bundle is in ${b.package}`,
          );
        if (!isSemver(v.data.version))
          add(object, 'package-property', `version ${v.data.version} is not semver`);
      }
    }
    for (const p of props.filter((x) => x.type === 'olm.gvk' || x.type === 'olm.gvk.required')) {
      const v = GvkProperty.safeParse(p.value);
      if (!v.success || v.data.group === '' || v.data.version === '' || v.data.kind === '')
        add(object, 'gvk-property', `${p.type} property needs group, version and kind`);
    }
  }

  if (csvInput !== undefined) checkAgainstCsv(bundles, csvInput, out);
  return out;
}

/** The bundle the CSV is: same name, version, exactly its owned CRDs as olm.gvk, its related images. */
function checkAgainstCsv(
  bundles: readonly z.infer<typeof BundleBlob>[],
  csvInput: unknown,
  out: Finding[],
): void {
  const csv = Csv.parse(csvInput);
  const object = `olm.bundle ${csv.metadata.name}`;
  const add = (check: string, message: string): void => {
    out.push({ object, check, message });
  };
  const bundle = bundles.find((b) => b.name === csv.metadata.name);
  if (bundle === undefined) {
    add('csv', `no olm.bundle is named as the CSV (${csv.metadata.name})`);
    return;
  }
  const props = bundle.properties ?? [];
  const version = props
    .filter((p) => p.type === 'olm.package')
    .map((p) => PackageProperty.safeParse(p.value))
    .find((v) => v.success)?.data?.version;
  if (version !== csv.spec.version)
    add('csv', `olm.package version ${version ?? '(none)'} is not the CSV's ${csv.spec.version}`);
  const key = (g: { group: string; version: string; kind: string }) => `${g.group}/${g.version}/${g.kind}`;
  const gvks = new Set(
    props
      .filter((p) => p.type === 'olm.gvk')
      .flatMap((p) => {
        const v = GvkProperty.safeParse(p.value);
        return v.success ? [key(v.data)] : [];
      }),
  );
  const owned = new Set(
    (csv.spec.customresourcedefinitions?.owned ?? []).map((o) =>
      key({ group: o.name.slice(o.name.indexOf('.') + 1), version: o.version, kind: o.kind }),
    ),
  );
  for (const g of owned) if (!gvks.has(g)) add('csv', `owned CRD ${g} has no olm.gvk property`);
  for (const g of gvks) if (!owned.has(g)) add('csv', `olm.gvk ${g} is not an owned CRD of the CSV`);
  const related = new Set((bundle.relatedImages ?? []).map((r) => r.image));
  for (const r of csv.spec.relatedImages ?? [])
    if (!related.has(r.image)) add('csv', `the CSV's related image ${r.image} is not among the bundle's`);
}
