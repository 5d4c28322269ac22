// Turns the zod schemas into CustomResourceDefinitions. zod emits OpenAPI 3.0 JSON Schema; Kubernetes
// wants a *structural* schema, so this pass removes what the API server refuses (additionalProperties
// beside properties, anyOf outside int-or-string, JSON Schema bookkeeping) and turns open objects into
// x-kubernetes-preserve-unknown-fields.
import { z } from 'zod';
import { GROUP, KINDS, KindDefinition, KindVersion } from './registry';

type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };
type JSONObject = { [key: string]: JSONValue };

function isObject(value: JSONValue | undefined): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** Makes one zod-emitted schema node structural, recursively. */
export function structural(node: JSONObject): JSONObject {
  const out: JSONObject = {};
  const isIntOrString = node['x-kubernetes-int-or-string'] === true;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id') continue;
    if (key === 'anyOf' && !isIntOrString) continue;
    // zod adds JS's safe-integer limits to every int; they are not part of the API.
    if (
      (key === 'minimum' || key === 'maximum') &&
      typeof value === 'number' &&
      SAFE_INTEGER_BOUNDS.has(value)
    )
      continue;
    if (key === 'additionalProperties') {
      if (value === false) continue;
      if (isObject(value) && Object.keys(value).length === 0) {
        out['x-kubernetes-preserve-unknown-fields'] = true;
        continue;
      }
      if (isObject(value)) {
        if (isObject(node['properties'])) {
          out['x-kubernetes-preserve-unknown-fields'] = true; // properties + open map is a loose object
          continue;
        }
        out[key] = structural(value);
        continue;
      }
    }
    if (key === 'properties' && isObject(value)) {
      const props: JSONObject = {};
      for (const [name, child] of Object.entries(value)) if (isObject(child)) props[name] = structural(child);
      out[key] = props;
      continue;
    }
    if (key === 'items' && isObject(value)) {
      out[key] = structural(value);
      continue;
    }
    out[key] = value;
  }
  if (isIntOrString) delete out['type'];
  if (out['x-kubernetes-preserve-unknown-fields'] === true && out['type'] === undefined && !isIntOrString) {
    out['type'] = 'object';
  }
  if (Array.isArray(out['required']) && out['required'].length === 0) delete out['required'];
  if (out['x-kubernetes-preserve-unknown-fields'] === true && isObject(out['properties'])) {
    if (Object.keys(out['properties']).length === 0) delete out['properties'];
  }
  return sortKeys(out);
}

function sortKeys(node: JSONObject): JSONObject {
  const sorted: JSONObject = {};
  for (const key of Object.keys(node).sort()) {
    const value = node[key];
    if (value !== undefined) sorted[key] = value;
  }
  return sorted;
}

export function openAPISchema(schema: z.ZodType): JSONObject {
  const emitted = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' });
  return structural(JSON.parse(JSON.stringify(emitted)) as JSONObject);
}

function versionSchema(version: KindVersion): JSONObject {
  const properties: JSONObject = {
    apiVersion: {
      description:
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
      type: 'string',
    },
    kind: {
      description:
        'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.',
      type: 'string',
    },
    metadata: { type: 'object' },
  };
  if (version.spec) properties['spec'] = openAPISchema(version.spec);
  if (version.status) properties['status'] = openAPISchema(version.status);
  const root: JSONObject = { description: version.description, properties, type: 'object' };
  if (version.specRequired) root['required'] = ['spec'];
  return root;
}

export function customResourceDefinition(def: KindDefinition): JSONObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: def.listKind,
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames ? { shortNames: def.shortNames } : {}),
      },
      scope: 'Namespaced',
      versions: def.versions.map((v) => {
        const out: JSONObject = {
          name: v.name,
          served: true,
          storage: v.storage,
          schema: { openAPIV3Schema: versionSchema(v) },
          subresources: { status: {} },
        };
        if (v.printerColumns.length > 0) {
          out['additionalPrinterColumns'] = v.printerColumns.map((c) => ({ ...c }) as JSONObject);
        }
        if (v.deprecated) {
          out['deprecated'] = true;
          out['deprecationWarning'] = v.deprecated;
        }
        return out;
      }),
      ...(def.conversionWebhook
        ? {
            conversion: {
              strategy: 'Webhook',
              webhook: {
                clientConfig: {
                  service: {
                    name: def.conversionWebhook.service,
                    namespace: def.conversionWebhook.namespace,
                    path: def.conversionWebhook.path,
                  },
                },
                conversionReviewVersions: ['v1'],
              },
            },
          }
        : {}),
    },
  };
}

export function allCustomResourceDefinitions(): {
  fileName: string;
  owner: KindDefinition['owner'];
  crd: JSONObject;
}[] {
  return KINDS.map((def) => ({
    fileName: `${GROUP}_${def.plural}.yaml`,
    owner: def.owner,
    crd: customResourceDefinition(def),
  }));
}
