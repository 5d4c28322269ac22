// Each file-based catalog check fires on a catalog that breaks it, and the good catalog passes them all.
import { isSemver, isSemverRange, validateCatalog } from './validate';

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>').toString('base64');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]).toString('base64');

type Blob = Record<string, unknown>;

const bundle = (version: string): Blob => ({
  schema: 'olm.bundle',
  name: `op.v${version}`,
  package: 'op',
  image: `quay.io/example/op-bundle:v${version}`,
  properties: [
    { type: 'olm.package', value: { packageName: 'op', version } },
    { type: 'olm.gvk', value: { group: 'example.com', version: 'v1', kind: 'Thing' } },
  ],
  relatedImages: [{ name: 'operator', image: 'quay.io/example/op:v1' }],
});

/** op: channel stable with v1.1.0 replacing v1.0.0 and skipping v0.9.0, channel fast with v1.1.0 alone. */
function good(): Blob[] {
  return [
    {
      schema: 'olm.package',
      name: 'op',
      defaultChannel: 'stable',
      icon: { base64data: SVG, mediatype: 'image/svg+xml' },
    },
    {
      schema: 'olm.channel',
      package: 'op',
      name: 'stable',
      entries: [
        { name: 'op.v0.9.0' },
        { name: 'op.v1.0.0' },
        { name: 'op.v1.1.0', replaces: 'op.v1.0.0', skips: ['op.v0.9.0'], skipRange: '>=0.5.0 <1.1.0' },
      ],
    },
    { schema: 'olm.channel', package: 'op', name: 'fast', entries: [{ name: 'op.v1.1.0' }] },
    bundle('0.9.0'),
    bundle('1.0.0'),
    bundle('1.1.0'),
    { schema: 'olm.deprecations', package: 'op', entries: [] },
  ];
}

const CSV = {
  metadata: { name: 'op.v1.1.0' },
  spec: {
    version: '1.1.0',
    customresourcedefinitions: { owned: [{ name: 'things.example.com', version: 'v1', kind: 'Thing' }] },
    relatedImages: [{ image: 'quay.io/example/op:v1' }],
  },
};

const at = (blobs: Blob[], schema: string, name: string): Blob => {
  const found = blobs.find((b) => b.schema === schema && b.name === name);
  if (found === undefined) throw new Error(`${schema} ${name} not in the fixture`);
  return found;
};
const stable = (blobs: Blob[]) => at(blobs, 'olm.channel', 'stable');
const entries = (blobs: Blob[]) => stable(blobs).entries as Blob[];

/** The good catalog changed by `edit`, validated: the checks that fired. */
function checksAfter(edit: (blobs: Blob[]) => void, csv?: unknown): string[] {
  const blobs = good();
  edit(blobs);
  return [...new Set(validateCatalog(blobs, csv).map((f) => f.check))];
}

describe('validateCatalog', () => {
  test('the good catalog passes, with and without its CSV', () => {
    expect(validateCatalog(good())).toEqual([]);
    expect(validateCatalog(good(), CSV)).toEqual([]);
  });

  test.each<[string, (b: Blob[]) => void, string[]]>([
    ['a blob without schema', (b) => b.push({ name: 'x' }), ['schema']],
    [
      'a package without defaultChannel',
      (b) => delete at(b, 'olm.package', 'op').defaultChannel,
      ['default-channel'],
    ],
    [
      'a defaultChannel that is not a channel',
      (b) => (at(b, 'olm.package', 'op').defaultChannel = 'beta'),
      ['default-channel'],
    ],
    ['a package without channels', (b) => b.splice(1, 2), ['package', 'default-channel', 'no-channel']],
    [
      'a channel of an undeclared package',
      (b) => (at(b, 'olm.channel', 'fast').package = 'other'),
      ['unknown-package', 'unknown-bundle'],
    ],
    ['a channel without entries', (b) => (at(b, 'olm.channel', 'fast').entries = []), ['channel']],
    [
      'an entry naming no bundle',
      (b) => entries(b).push({ name: 'op.v2.0.0', replaces: 'op.v1.1.0' }),
      ['unknown-bundle'],
    ],
    ['an entry listed twice', (b) => entries(b).push({ name: 'op.v0.9.0' }), ['duplicate']],
    ['two heads', (b) => delete entries(b)[2]?.replaces, ['channel-head']],
    [
      'no head (a cycle of replaces)',
      (b) => (entries(b)[1] = { name: 'op.v1.0.0', replaces: 'op.v1.1.0' }),
      ['channel-head'],
    ],
    [
      'an entry replacing itself',
      (b) => (entries(b)[0] = { name: 'op.v0.9.0', replaces: 'op.v0.9.0' }),
      ['channel-cycle'],
    ],
    [
      'stranded entries (a replaces loop off the chain from the head)',
      (b) => {
        entries(b).push(
          { name: 'op.v0.8.0', replaces: 'op.v0.7.0' },
          { name: 'op.v0.7.0', replaces: 'op.v0.8.0' },
        );
        b.push(bundle('0.8.0'), bundle('0.7.0'));
      },
      ['channel-stranded'],
    ],
    [
      'a skipRange that is no range',
      (b) => ((entries(b)[2] ?? {}).skipRange = 'from 0.5 to 1.1'),
      ['skip-range'],
    ],
    ['a bundle in no channel', (b) => b.push(bundle('3.0.0')), ['no-channel']],
    [
      'a bundle of an undeclared package',
      (b) => b.push({ ...bundle('3.0.0'), package: 'other' }),
      ['unknown-package', 'no-channel', 'package-property'],
    ],
    ['a bundle declared twice', (b) => b.push(bundle('1.0.0')), ['duplicate']],
    ['a bundle without image', (b) => delete at(b, 'olm.bundle', 'op.v1.1.0').image, ['image']],
    [
      'a bundle image that is no reference',
      (b) => (at(b, 'olm.bundle', 'op.v1.1.0').image = 'Quay.io/Op Bundle'),
      ['image'],
    ],
    [
      'a related image that is no reference',
      (b) => (at(b, 'olm.bundle', 'op.v1.1.0').relatedImages = [{ image: 'a b' }]),
      ['image'],
    ],
    [
      'a bundle without olm.package',
      (b) => (at(b, 'olm.bundle', 'op.v1.1.0').properties = []),
      ['package-property'],
    ],
    [
      'an olm.package of another package',
      (b) => {
        (at(b, 'olm.bundle', 'op.v1.1.0').properties as Blob[])[0] = {
          type: 'olm.package',
          value: { packageName: 'x', version: '1.1.0' },
        };
      },
      ['package-property'],
    ],
    [
      'an olm.package version that is no semver',
      (b) => {
        (at(b, 'olm.bundle', 'op.v1.1.0').properties as Blob[])[0] = {
          type: 'olm.package',
          value: { packageName: 'op', version: 'v1.1' },
        };
      },
      ['package-property'],
    ],
    [
      'an olm.gvk without kind',
      (b) => {
        (at(b, 'olm.bundle', 'op.v1.1.0').properties as Blob[])[1] = {
          type: 'olm.gvk',
          value: { group: 'example.com', version: 'v1' },
        };
      },
      ['gvk-property'],
    ],
    [
      'an icon of an unknown media type',
      (b) => (at(b, 'olm.package', 'op').icon = { base64data: SVG, mediatype: 'image/webp' }),
      ['icon'],
    ],
    [
      'an icon whose data is not base64',
      (b) => (at(b, 'olm.package', 'op').icon = { base64data: '<svg>', mediatype: 'image/svg+xml' }),
      ['icon'],
    ],
    [
      'an icon whose data is not its media type',
      (b) => (at(b, 'olm.package', 'op').icon = { base64data: PNG, mediatype: 'image/svg+xml' }),
      ['icon'],
    ],
    [
      'a channel blob of the wrong shape',
      (b) => (at(b, 'olm.channel', 'fast').entries = 'op.v1.1.0'),
      ['shape'],
    ],
  ])('%s', (_, edit, expected) => {
    expect(checksAfter(edit)).toEqual(expected);
  });

  test('a PNG icon passes as image/png', () => {
    expect(
      checksAfter((b) => (at(b, 'olm.package', 'op').icon = { base64data: PNG, mediatype: 'image/png' })),
    ).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    [
      'no bundle named as the CSV',
      { ...CSV, metadata: { name: 'op.v9.9.9' } },
      'no olm.bundle is named as the CSV (op.v9.9.9)',
    ],
    [
      'another version',
      { ...CSV, spec: { ...CSV.spec, version: '1.2.0' } },
      "olm.package version 1.1.0 is not the CSV's 1.2.0",
    ],
    [
      'an owned CRD without olm.gvk',
      {
        ...CSV,
        spec: {
          ...CSV.spec,
          customresourcedefinitions: {
            owned: [
              ...CSV.spec.customresourcedefinitions.owned,
              { name: 'widgets.example.com', version: 'v1', kind: 'Widget' },
            ],
          },
        },
      },
      'owned CRD example.com/v1/Widget has no olm.gvk property',
    ],
    [
      'an olm.gvk the CSV does not own',
      { ...CSV, spec: { ...CSV.spec, customresourcedefinitions: { owned: [] } } },
      'olm.gvk example.com/v1/Thing is not an owned CRD of the CSV',
    ],
    [
      'a CSV related image the bundle lacks',
      { ...CSV, spec: { ...CSV.spec, relatedImages: [{ image: 'quay.io/example/speaker:v1' }] } },
      "the CSV's related image quay.io/example/speaker:v1 is not among the bundle's",
    ],
  ])('against the CSV: %s', (_, csv, message) => {
    expect(validateCatalog(good(), csv).map((f) => f.message)).toEqual([message]);
  });

  test('semver and semver ranges as blang/semver reads them', () => {
    expect(['0.1.0', '1.2.3-rc.1+build.5'].every(isSemver)).toBe(true);
    expect(['v1.2.3', '1.2', '01.2.3'].some(isSemver)).toBe(false);
    expect(['>=0.5.0 <1.1.0', '<1.0.0 || >=2.0.0', '>=4.1.0-0 <4.2.0'].every(isSemverRange)).toBe(true);
    expect(['', 'from 0.5', '>=0.5.0 ||'].some(isSemverRange)).toBe(false);
  });
});
