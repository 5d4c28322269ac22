// metav1.LabelSelector, parsed once into requirements and matched against labels, as
// k8s.io/apimachinery's LabelSelectorAsSelector and labels.Selector.Matches do.
import { LabelSelector as RawLabelSelector } from '../api/meta';
import { compareText } from './errors';
import { LabelRequirement, LabelSelector, Labels } from './types';

/** A selector that matches everything: what an empty list of selectors means in several places. */
export const EVERYTHING: LabelSelector = { requirements: [] };

const OPERATORS: Record<string, LabelRequirement['operator']> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
};

// Kubernetes label keys: an optional DNS subdomain prefix (<= 253) and a name (<= 63) of alphanumerics,
// '-', '_' and '.', starting and ending alphanumeric. Values: the same name rule, possibly empty.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `invalid label key "${key}": prefix must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `invalid label key "${key}": name must be 63 characters or less, alphanumeric, '-', '_' or '.'`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `invalid label value "${value}": must be 63 characters or less, alphanumeric, '-', '_' or '.'`;
  }
  return undefined;
}

export type SelectorParse = { ok: true; selector: LabelSelector } | { ok: false; reason: string };

/** Parses a raw selector; the reasons follow apimachinery's validation messages. */
export function parseSelector(raw: RawLabelSelector): SelectorParse {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(raw.matchLabels ?? {}).sort(([a], [b]) => compareText(a, b))) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) return { ok: false, reason: problem };
    requirements.push({ key, operator: 'In', values: [value] });
  }
  for (const expression of raw.matchExpressions ?? []) {
    const operator = OPERATORS[expression.operator];
    if (!operator)
      return { ok: false, reason: `"${expression.operator}" is not a valid label selector operator` };
    const keyProblem = labelKeyProblem(expression.key);
    if (keyProblem) return { ok: false, reason: keyProblem };
    const values = [...new Set(expression.values ?? [])].sort(compareText);
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      return { ok: false, reason: `values: for 'in', 'notin' operators, values set can't be empty` };
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      return { ok: false, reason: `values: values set must be empty for exists and does not exist` };
    }
    for (const value of values) {
      const problem = labelValueProblem(value);
      if (problem) return { ok: false, reason: problem };
    }
    requirements.push({ key: expression.key, operator, values });
  }
  requirements.sort((a, b) => compareText(a.key, b.key) || compareText(a.operator, b.operator));
  return { ok: true, selector: { requirements } };
}

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

/** True when any selector matches; an empty list matches nothing (callers decide what empty means). */
export function anySelectorMatches(selectors: readonly LabelSelector[], labels: Labels): boolean {
  return selectors.some((s) => selectorMatches(s, labels));
}

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotIn':
      return value === undefined || !r.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** The canonical text of a selector, as labels.Selector.String() writes it: `a=b,c in (d,e),!f`. */
export function formatSelector(selector: LabelSelector): string {
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1
            ? `${r.key}=${r.values[0] ?? ''}`
            : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}

export type Report = (
  field: string,
  reason: string,
  detail?: { value?: string; transient?: boolean },
) => void;

/** The identity upstream compares selectors by: matchLabels sorted, expressions in order with values sorted. */
function selectorKey(raw: RawLabelSelector): string {
  const labels = Object.entries(raw.matchLabels ?? {}).sort(([a], [b]) => compareText(a, b));
  const expressions = (raw.matchExpressions ?? []).map((e) => [
    e.key,
    e.operator,
    [...(e.values ?? [])].sort(compareText),
  ]);
  return JSON.stringify([labels, expressions]);
}

/**
 * Parses the selectors of one list field (`spec.nodeSelectors`), reporting what MetalLB rejects: an invalid
 * selector, a selector listed twice, a match expression listed twice in a selector, and a value listed twice in
 * an expression. Returns the selectors that parsed.
 */
export function parseSelectorList(
  raws: readonly RawLabelSelector[] | undefined,
  field: string,
  report: Report,
): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Map<string, number>();
  (raws ?? []).forEach((raw, i) => {
    const at = `${field}[${i}]`;
    const expressionsSeen = new Map<string, number>();
    (raw.matchExpressions ?? []).forEach((e, j) => {
      const values = e.values ?? [];
      const duplicate = values.find((v, k) => values.indexOf(v) !== k);
      if (duplicate !== undefined) {
        report(`${at}.matchExpressions[${j}].values`, 'duplicate value in match expression', {
          value: duplicate,
        });
      }
      const key = JSON.stringify([e.key, e.operator, [...values].sort(compareText)]);
      const first = expressionsSeen.get(key);
      if (first !== undefined) {
        report(
          `${at}.matchExpressions[${j}]`,
          `duplicate match expression, same as matchExpressions[${first}]`,
        );
      } else {
        expressionsSeen.set(key, j);
      }
    });
    const key = selectorKey(raw);
    const first = seen.get(key);
    if (first !== undefined) {
      report(at, `duplicate selector, same as ${field}[${first}]`);
      return;
    }
    seen.set(key, i);
    const parsed = parseSelector(raw);
    if (parsed.ok) out.push(parsed.selector);
    else report(at, parsed.reason);
  });
  return out;
}

/** Names of the objects whose labels match any selector; every object when there are no selectors. */
export function selectNames(
  objects: readonly { readonly name: string; readonly labels: Labels }[],
  selectors: readonly LabelSelector[],
  emptyMeansAll: boolean,
): Set<string> {
  if (selectors.length === 0) return new Set(emptyMeansAll ? objects.map((o) => o.name) : []);
  return new Set(objects.filter((o) => anySelectorMatches(selectors, o.labels)).map((o) => o.name));
}
