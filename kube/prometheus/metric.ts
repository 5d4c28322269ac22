// What Counter, Gauge and Histogram share: a name, help, declared label names, and one series per distinct set
// of label values, kept in the order the series first appeared (the order a scrape lists them in).
import type { Label, MetricFamily, MetricType, Sample } from './exposition';

/** Every declared label, each with its value (numbers are written as JavaScript prints them). */
export type LabelValues<L extends string> = Readonly<Record<L, string | number>>;

/** What a registry calls at scrape time; `defaultLabels` are the registry's, already without this metric's names. */
export interface Collector {
  readonly name: string;
  collect(defaultLabels: readonly Label[]): MetricFamily;
}

/** The one registry method a metric needs: registration under its name. */
export interface MetricRegistry {
  registerMetric(metric: Collector): void;
}

export interface MetricOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /** Registries that serve this metric; none: it is only read through its own collect(). */
  readonly registers?: readonly MetricRegistry[];
}

// Metric and label names as the data model allows them (prometheus/docs concepts/data_model.md); names that
// start with `__` are reserved for Prometheus itself.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

interface Series<S> {
  /** The label values in `labelNames` order. */
  readonly values: readonly string[];
  readonly state: S;
}

export abstract class Metric<L extends string, S> implements Collector {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  abstract readonly type: MetricType;
  private readonly series = new Map<string, Series<S>>();

  protected constructor(options: MetricOptions<L>, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(options.name)) throw new Error(`invalid metric name "${options.name}"`);
    if (options.help === '') throw new Error(`metric ${options.name} has no help text`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    for (const label of this.labelNames) {
      if (!isLabelName(label) || reserved.includes(label))
        throw new Error(`metric ${options.name}: invalid label name "${label}"`);
    }
    if (new Set(this.labelNames).size !== this.labelNames.length)
      throw new Error(`metric ${options.name}: a label name is declared twice`);
    for (const registry of options.registers ?? []) registry.registerMetric(this);
  }

  /** A new series' state: 0 for counters and gauges, empty buckets for histograms. */
  protected abstract initialState(): S;

  /** The samples of one series, with its labels (and the registry's) already formatted. */
  protected abstract samplesOf(state: S, labels: readonly Label[]): Sample[];

  /** The metric's collect callback, bound to it: runs before a scrape reads its series. */
  protected onCollect: (() => void) | undefined;

  /** Drops every series; a metric without labels starts again from zero, as when created. */
  reset(): void {
    this.series.clear();
  }

  /** Drops one series; the next update starts it again from zero. */
  remove(labels: LabelValues<L>): void {
    const values = this.valuesOf(labels);
    this.series.delete(values.join('\0'));
  }

  collect(defaultLabels: readonly Label[]): MetricFamily {
    this.onCollect?.();
    // A metric without labels has its one series from the start: it reads 0 before any update, while a
    // labelled metric shows nothing until a series is used (prom-client's and client_golang's behaviour).
    if (this.labelNames.length === 0 && !this.series.has('')) this.addSeries([], '');
    const extra = defaultLabels.filter(([name]) => !(this.labelNames as readonly string[]).includes(name));
    const samples: Sample[] = [];
    for (const { values, state } of this.series.values()) {
      const labels: Label[] = this.labelNames.map((name, i) => [name, values[i] ?? '']);
      samples.push(...this.samplesOf(state, labels.concat(extra)));
    }
    return { name: this.name, help: this.help, type: this.type, samples };
  }

  /** The state of the series `labels` names (undefined: the metric's only series), created at first use. */
  protected stateOf(labels: LabelValues<L> | undefined): S {
    if (labels === undefined) {
      if (this.labelNames.length > 0)
        throw new Error(`metric ${this.name} needs labels ${this.labelNames.join(', ')}`);
      return this.series.get('')?.state ?? this.addSeries([], '');
    }
    const values = this.valuesOf(labels);
    // Label values never hold NUL (Kubernetes names, addresses, interface names), so it separates them.
    const key = values.join('\0');
    return this.series.get(key)?.state ?? this.addSeries(values, key);
  }

  private addSeries(values: readonly string[], key: string): S {
    const state = this.initialState();
    this.series.set(key, { values, state });
    return state;
  }

  private valuesOf(labels: LabelValues<L>): string[] {
    const given = Object.keys(labels);
    if (
      given.length !== this.labelNames.length ||
      given.some((g) => !(this.labelNames as readonly string[]).includes(g))
    )
      throw new Error(
        `metric ${this.name}: labels ${given.join(', ')} do not match its label names ${this.labelNames.join(', ')}`,
      );
    return this.labelNames.map((name) => String(labels[name]));
  }
}

/** A counter's or a gauge's series: one number. */
export interface ValueState {
  value: number;
}

/** What Counter and Gauge share: one sample per series, under the metric's own name. */
export abstract class ValueMetric<L extends string> extends Metric<L, ValueState> {
  protected initialState(): ValueState {
    return { value: 0 };
  }

  protected samplesOf(state: ValueState, labels: readonly Label[]): Sample[] {
    return [{ name: this.name, labels, value: state.value }];
  }
}
