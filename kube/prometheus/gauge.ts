// A gauge: a value that goes up and down (prometheus/docs concepts/metric_types.md).
import { ValueMetric, type LabelValues, type MetricOptions } from './metric';

export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /** Runs before each scrape reads the gauge: for values computed at scrape time. */
  readonly collect?: (this: Gauge<L>) => void;
}

export interface GaugeChild {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
}

export class Gauge<L extends string = never> extends ValueMetric<L> {
  readonly type = 'gauge';

  constructor(options: GaugeOptions<L>) {
    super(options);
    this.onCollect = options.collect?.bind(this);
  }

  set(value: number): void;
  set(labels: LabelValues<L>, value: number): void;
  set(labelsOrValue: LabelValues<L> | number, value?: number): void {
    const [labels, to] = split(labelsOrValue, value);
    this.stateOf(labels).value = to ?? 0;
  }

  inc(value?: number): void;
  inc(labels: LabelValues<L>, value?: number): void;
  inc(labelsOrValue?: LabelValues<L> | number, value?: number): void {
    const [labels, by] = split(labelsOrValue, value);
    this.stateOf(labels).value += by ?? 1;
  }

  dec(value?: number): void;
  dec(labels: LabelValues<L>, value?: number): void;
  dec(labelsOrValue?: LabelValues<L> | number, value?: number): void {
    const [labels, by] = split(labelsOrValue, value);
    this.stateOf(labels).value -= by ?? 1;
  }

  /** The series `labels` names, to update without naming its labels again. */
  labels(labels: LabelValues<L>): GaugeChild {
    return {
      set: (value) => this.set(labels, value),
      inc: (value) => this.inc(labels, value),
      dec: (value) => this.dec(labels, value),
    };
  }
}

function split<L extends string>(
  labelsOrValue: LabelValues<L> | number | undefined,
  value: number | undefined,
): [LabelValues<L> | undefined, number | undefined] {
  return typeof labelsOrValue === 'object' ? [labelsOrValue, value] : [undefined, labelsOrValue];
}
