import type { Metric, Registry } from 'prom-client';

interface HistogramValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  /** prom-client's buckets carry one (null: exemplars are off). */
  exemplar?: null;
}

interface HistogramData {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: HistogramValue[];
}

/** One label set's buckets (not cumulative: `counts[i]` holds the observations in bucket i), sum and count. */
interface Series {
  labels: Record<string, string>;
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram whose children observe with no hashing and no label checks: prom-client's Histogram
 * hashes the label set and checks it on every observe, even through a child from labels(), a cost every HTTP
 * request paid. Registered on a prom-client Registry as a custom metric (the registry only calls get() and
 * reset()); /metrics shows it exactly as prom-client's Histogram would: _bucket with le, _sum, _count.
 */
export class LatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The observer of one label set (kept by the caller: it is the fast path). */
  child(labels: Record<string, string>): (seconds: number) => void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const series = s;
    const bounds = this.buckets;
    return (seconds) => {
      series.sum += seconds;
      series.count++;
      for (let i = 0; i < bounds.length; i++)
        if (seconds <= bounds[i]!) {
          series.counts[i]!++;
          return;
        }
    };
  }

  /**
   * What the registry formats for /metrics, as prom-client's Histogram gives it: `le` as the value's label,
   * the label set as shared labels (so the text is the same, `le` first).
   */
  async getForPromString(): Promise<HistogramData> {
    const values: HistogramValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      // As prom-client: a label set shows from its first observation (again after a reset).
      if (s.count === 0) continue;
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        values.push({
          labels: { le: this.buckets[i]! },
          sharedLabels: s.labels,
          value: acc,
          metricName: bucket,
          exemplar: null,
        });
      }
      values.push({
        labels: { le: '+Inf' },
        sharedLabels: s.labels,
        value: s.count,
        metricName: bucket,
        exemplar: null,
      });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** prom-client's Metric.get() (the registry's JSON): each value's labels with its shared labels merged in. */
  async get(): Promise<HistogramData> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ labels, sharedLabels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return data;
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
