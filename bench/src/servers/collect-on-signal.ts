/**
 * Preloaded (`node --expose-gc --import …`) into every Node process the harness starts: on
 * SIGUSR2 it runs a full garbage collection, waits until the pages it freed have gone back to the
 * system, and prints `{"collected":true,"heapUsed":N}`. The idle scenario reads RSS only then, so the figure
 * is what the connections keep, not how much set-up garbage V8 happened to hold at that instant.
 */
const collect = (globalThis as { gc?: () => void }).gc;

/** V8 unmaps freed pages on a background thread shortly after the collection. */
const POLL_MS = 50;
const MAX_WAIT_MS = 3_000;
const STEADY_BYTES = 64 * 1024;

function whenRssSteady(done: () => void): void {
  const deadline = Date.now() + MAX_WAIT_MS;
  let last = process.memoryUsage.rss();
  const check = (): void => {
    const rss = process.memoryUsage.rss();
    if (Math.abs(last - rss) <= STEADY_BYTES || Date.now() > deadline) return done();
    last = rss;
    setTimeout(check, POLL_MS);
  };
  setTimeout(check, POLL_MS);
}

if (collect !== undefined) {
  process.on('SIGUSR2', () => {
    collect();
    whenRssSteady(() => process.stdout.write(`${JSON.stringify({ collected: true, pid: process.pid, heapUsed: process.memoryUsage().heapUsed })}\n`));
  });
}
