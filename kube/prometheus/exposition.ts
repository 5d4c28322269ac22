// The Prometheus text exposition format, version 0.0.4 (prometheus/docs content/docs/instrumenting/
// exposition_formats.md, "Text format details"): per family a `# HELP` and a `# TYPE` line, then one line per
// sample, `name{label="value",...} value`. A pure function of plain data, so the format is tested on its own.
//
// Layout follows what prom-client served before it (families in registration order, an empty line between
// them, which the format ignores), so a scrape reads the same as it did.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One label as it is written: name and value, in the order they appear on the line. */
export type Label = readonly [name: string, value: string];

export interface Sample {
  /** The family name, or the family name with a suffix (`_bucket`, `_sum`, `_count`). */
  readonly name: string;
  readonly labels: readonly Label[];
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/** HELP text: backslash and line feed are escaped ("Text format details"). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values: backslash, double quote and line feed are escaped ("Text format details"). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A float as Go's ParseFloat reads it, with the format's spellings NaN, +Inf and -Inf. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

function formatSample(sample: Sample): string {
  if (sample.labels.length === 0) return `${sample.name} ${formatValue(sample.value)}`;
  const labels = sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
  return `${sample.name}{${labels}} ${formatValue(sample.value)}`;
}

export function formatFamily(family: MetricFamily): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  for (const sample of family.samples) lines.push(formatSample(sample));
  return lines.join('\n');
}

/** The whole scrape body: every family, in the order given, ending with a line feed. */
export function formatFamilies(families: readonly MetricFamily[]): string {
  return `${families.map(formatFamily).join('\n\n')}\n`;
}
