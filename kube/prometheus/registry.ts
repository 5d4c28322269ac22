// A registry: the metrics one process serves on /metrics, in the order they were registered, with labels it
// adds to every series. Each process builds its own (there is no global one), so tests and several
// components in one process never collide.
import { PROMETHEUS_CONTENT_TYPE, formatFamilies, type Label, type MetricFamily } from './exposition';
import { isLabelName, type Collector, type MetricRegistry } from './metric';

export class Registry implements MetricRegistry {
  readonly contentType = PROMETHEUS_CONTENT_TYPE;
  private readonly byName = new Map<string, Collector>();
  private defaultLabels: readonly Label[] = [];

  /** Fails for a second metric under a name already taken: two writers of one series are a bug. */
  registerMetric(metric: Collector): void {
    const existing = this.byName.get(metric.name);
    if (existing !== undefined && existing !== metric)
      throw new Error(`a metric named ${metric.name} is already registered`);
    this.byName.set(metric.name, metric);
  }

  getSingleMetric(name: string): Collector | undefined {
    return this.byName.get(name);
  }

  /** Labels on every series; a metric's own label of the same name wins. */
  setDefaultLabels(labels: Readonly<Record<string, string>>): void {
    const bad = Object.keys(labels).filter((name) => !isLabelName(name));
    if (bad.length > 0) throw new Error(`invalid default label name ${bad.join(', ')}`);
    this.defaultLabels = Object.entries(labels);
  }

  /** Every metric's family, after running the collect callbacks, as plain data. */
  collect(): MetricFamily[] {
    return [...this.byName.values()].map((metric) => metric.collect(this.defaultLabels));
  }

  /** The scrape body in the text format (kube/prometheus/exposition.ts), served as `contentType`. */
  async metrics(): Promise<string> {
    return formatFamilies(this.collect());
  }
}
