// Median and 95th percentile from a duration histogram (campaign-stats-queries.ts): the nearest-rank
// percentile's bucket, reported as the bucket's middle (within 1% of the exact value).
import { bucketSeconds, type DurationBucketRow } from './campaign-stats-queries.js';

export interface DurationFigures {
  /** How many claims the figures are over */
  readonly count: number;
  readonly medianSeconds: number | null;
  readonly p95Seconds: number | null;
}

export function durationFigures(buckets: readonly DurationBucketRow[]): DurationFigures {
  const counts = new Map<number, number>();
  for (const row of buckets) counts.set(row.bucket, (counts.get(row.bucket) ?? 0) + row.count);
  const ordered = [...counts.entries()].sort(([a], [b]) => a - b);
  const count = ordered.reduce((sum, [, n]) => sum + n, 0);
  const percentile = (q: number): number | null => {
    if (count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (const [bucket, n] of ordered) {
      seen += n;
      if (seen >= rank) return Math.round(bucketSeconds(bucket) * 10) / 10;
    }
    return null;
  };
  return { count, medianSeconds: percentile(0.5), p95Seconds: percentile(0.95) };
}
