// A counter: a value that only goes up, reset only by a restart (prometheus/docs concepts/metric_types.md).
import { ValueMetric, type LabelValues, type MetricOptions } from './metric';

export interface CounterOptions<L extends string> extends MetricOptions<L> {
  /** Runs before each scrape reads the counter, e.g. to add what happened since the last one. */
  readonly collect?: (this: Counter<L>) => void;
}

export class Counter<L extends string = never> extends ValueMetric<L> {
  readonly type = 'counter';

  constructor(options: CounterOptions<L>) {
    super(options);
    this.onCollect = options.collect?.bind(this);
  }

  /** Adds `value` (default 1); 0 makes the series appear with 0, as MetalLB does for a new session. */
  inc(value?: number): void;
  inc(labels: LabelValues<L>, value?: number): void;
  inc(labelsOrValue?: LabelValues<L> | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : undefined;
    const by = (typeof labelsOrValue === 'number' ? labelsOrValue : value) ?? 1;
    if (!Number.isFinite(by) || by < 0)
      throw new Error(`counter ${this.name} can only go up by a finite amount, not ${by}`);
    this.stateOf(labels).value += by;
  }

  /** The series `labels` names, to update without naming its labels again. */
  labels(labels: LabelValues<L>): { inc(value?: number): void } {
    return { inc: (value) => this.inc(labels, value) };
  }
}
