// A histogram: observations counted in cumulative buckets, with their sum and count (prometheus/docs
// concepts/metric_types.md). A scrape writes `<name>_bucket{le="<bound>"}` for each bound in increasing
// order and `le="+Inf"` (every observation), then `<name>_sum` and `<name>_count`; `le` comes after the
// series' own labels, as client_golang writes it.
import { formatValue, type Label, type Sample } from './exposition';
import { Metric, type LabelValues, type MetricOptions } from './metric';

/** client_golang's DefBuckets, which prom-client uses too. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing; +Inf is implied. */
  readonly buckets?: readonly number[];
}

interface HistogramState {
  /** Observations per bucket, not cumulative; one more than the bounds, for those above the last. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram<L extends string = never> extends Metric<L, HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  private readonly bounds: readonly string[];

  constructor(options: HistogramOptions<L>) {
    super(options, ['le']);
    const buckets = (options.buckets ?? DEFAULT_BUCKETS).filter((b) => b !== Infinity);
    if (buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] ?? b))))
      throw new Error(`histogram ${options.name}: buckets must be finite and strictly increasing`);
    this.buckets = buckets;
    this.bounds = buckets.map(formatValue);
  }

  observe(value: number): void;
  observe(labels: LabelValues<L>, value: number): void;
  observe(labelsOrValue: LabelValues<L> | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : undefined;
    const v = typeof labelsOrValue === 'number' ? labelsOrValue : (value ?? NaN);
    if (!Number.isFinite(v)) throw new Error(`histogram ${this.name}: cannot observe ${v}`);
    const state = this.stateOf(labels);
    const i = this.buckets.findIndex((bound) => v <= bound);
    const at = i === -1 ? this.buckets.length : i;
    state.counts[at] = (state.counts[at] ?? 0) + 1;
    state.sum += v;
    state.count += 1;
  }

  /** The series `labels` names, to observe without naming its labels again. */
  labels(labels: LabelValues<L>): { observe(value: number): void } {
    return { observe: (value) => this.observe(labels, value) };
  }

  protected initialState(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected samplesOf(state: HistogramState, labels: readonly Label[]): Sample[] {
    const bucket = `${this.name}_bucket`;
    const samples: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += state.counts[i] ?? 0;
      samples.push({ name: bucket, labels: [...labels, ['le', bound]], value: cumulative });
    });
    samples.push(
      { name: bucket, labels: [...labels, ['le', '+Inf']], value: state.count },
      { name: `${this.name}_sum`, labels, value: state.sum },
      { name: `${this.name}_count`, labels, value: state.count },
    );
    return samples;
  }
}
