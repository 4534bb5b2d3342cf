/**
 * Preloaded (`node --import …`) into every Node process the harness starts, and idle unless the
 * process was started with `BENCH_LOOP_DELAY_MS=<period>` (the scale scenario does that): then it
 * watches its own event loop with `perf_hooks.monitorEventLoopDelay` and prints, once a period,
 *
 *   {"loopDelay":{"at":<ms>,"p50":<ms>,"p99":<ms>,"max":<ms>,"count":<samples>}}
 *
 * and starts the next period afresh. `at` is the period's end on the monotonic clock every process
 * of the harness shares (`process.hrtime`), so the orchestrator keeps only the periods inside the
 * load generator's measured window.
 *
 * The histogram records the time between two ticks of a timer that repeats every RESOLUTION_MS;
 * the figures here are that time minus RESOLUTION_MS, i.e. how late the loop ran the tick
 * (an idle loop reads about 0.1 ms, a 50 ms synchronous stretch about 50 ms).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 5;
const periodMs = Number(process.env.BENCH_LOOP_DELAY_MS ?? 0);

const late = (nanoseconds: number): number => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);

if (Number.isFinite(periodMs) && periodMs > 0) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  setInterval(() => {
    const period = {
      at: Number(process.hrtime.bigint()) / 1e6,
      p50: late(histogram.percentile(50)),
      p99: late(histogram.percentile(99)),
      max: late(histogram.max),
      count: histogram.count,
    };
    histogram.reset();
    process.stdout.write(`${JSON.stringify({ loopDelay: period })}\n`);
  }, periodMs).unref();
}
