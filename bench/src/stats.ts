/** Small statistics helpers: medians over repeats and a latency histogram that threads can merge. */

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 0.1 ms buckets up to 30 s; anything slower lands in the last bucket (max is kept exactly). */
const BUCKET_MS = 0.1;
const BUCKETS = 300_001;

export class LatencyHistogram {
  readonly counts: Uint32Array;
  max = 0;
  total = 0;

  constructor(counts?: Uint32Array) {
    this.counts = counts ?? new Uint32Array(BUCKETS);
  }

  record(ms: number): void {
    const value = ms < 0 ? 0 : ms;
    const bucket = Math.min(BUCKETS - 1, Math.floor(value / BUCKET_MS));
    this.counts[bucket]!++;
    this.total++;
    if (value > this.max) this.max = value;
  }

  merge(other: { counts: Uint32Array; max: number; total: number }): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    if (other.max > this.max) this.max = other.max;
  }

  /** The upper edge of the bucket holding the q-th quantile (0..1); NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, (i + 1) * BUCKET_MS);
    }
    return this.max;
  }
}
