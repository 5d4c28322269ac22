import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { renderCrdFiles } from './crdfiles';
import { structural } from './crdgen';

const crdDir = join(__dirname, '..', 'crds');

describe('generated CRDs', () => {
  it('match the committed files in crds/ (run `make crds` after changing a schema)', () => {
    const rendered = renderCrdFiles();
    expect(readdirSync(crdDir).sort()).toEqual(rendered.map((f) => f.fileName).sort());
    for (const { fileName, text } of rendered) {
      expect({ fileName, text: readFileSync(join(crdDir, fileName), 'utf8') }).toEqual({ fileName, text });
    }
  });

  it('stores v1beta2 BGPPeers and serves v1beta1 as deprecated', () => {
    const text = readFileSync(join(crdDir, 'metallb.io_bgppeers.yaml'), 'utf8');
    const crd = z
      .object({
        spec: z.object({
          versions: z.array(
            z.looseObject({ name: z.string(), storage: z.boolean(), deprecated: z.boolean().optional() }),
          ),
        }),
      })
      .parse(parse(text));
    expect(crd.spec.versions.map((v) => [v.name, v.storage, v.deprecated ?? false])).toEqual([
      ['v1beta1', false, true],
      ['v1beta2', true, false],
    ]);
  });

  it('converts BGPPeer versions through the controller webhook Service, and no other kind', () => {
    const conversionOf = (file: string): unknown =>
      (parse(readFileSync(join(crdDir, file), 'utf8')) as { spec: { conversion?: unknown } }).spec.conversion;
    expect(conversionOf('metallb.io_bgppeers.yaml')).toEqual({
      strategy: 'Webhook',
      webhook: {
        clientConfig: {
          service: { name: 'metallb-webhook-service', namespace: 'metallb-system', path: '/convert' },
        },
        conversionReviewVersions: ['v1'],
      },
    });
    const others = readdirSync(crdDir).filter((f) => f !== 'metallb.io_bgppeers.yaml');
    expect(others.filter((f) => conversionOf(f) !== undefined)).toEqual([]);
  });

  it('shows auto-assign and addresses in `kubectl get ipaddresspools`', () => {
    const crd = parse(readFileSync(join(crdDir, 'metallb.io_ipaddresspools.yaml'), 'utf8')) as {
      spec: { versions: { additionalPrinterColumns: { name: string; jsonPath: string }[] }[] };
    };
    const columns = crd.spec.versions[0]?.additionalPrinterColumns.map((c) => `${c.name}=${c.jsonPath}`);
    expect(columns).toEqual([
      'Auto Assign=.spec.autoAssign',
      'Avoid Buggy IPs=.spec.avoidBuggyIPs',
      'Addresses=.spec.addresses',
    ]);
  });

  it('carries the CEL rule that keeps serviceSelectors to default aggregation lengths', () => {
    const text = readFileSync(join(crdDir, 'metallb.io_bgpadvertisements.yaml'), 'utf8');
    expect(text).toContain('serviceSelectors and aggregationLength are mutually exclusive');
    expect(text).toContain('x-kubernetes-validations');
  });
});

describe('structural()', () => {
  it('drops additionalProperties:false and JSON Schema bookkeeping', () => {
    expect(
      structural({
        $schema: 'x',
        type: 'object',
        additionalProperties: false,
        properties: { a: { type: 'string' } },
      }),
    ).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('turns an open object with properties into preserve-unknown-fields', () => {
    expect(
      structural({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: {} }),
    ).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('keeps anyOf only for int-or-string', () => {
    expect(structural({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({});
    expect(
      structural({
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        type: 'string',
      }),
    ).toEqual({
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    });
  });

  it('removes the safe-integer bounds zod adds to every int', () => {
    expect(
      structural({ type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    ).toEqual({ type: 'integer' });
    expect(structural({ type: 'integer', minimum: 1, maximum: 100 })).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 100,
    });
  });
});
