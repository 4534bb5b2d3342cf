/**
 * Milliseconds on a monotonic clock, for durations. `Date.now()` is wall-clock time: an NTP step
 * or a VM resume moves it by minutes, which would fire the silence watchdog early (forward) or
 * stop it from ever noticing a dead connection (backward). `performance.now()` only moves forward.
 * Looked up per call, so an environment without `performance` (or a test's fake one) still works.
 */
export function monotonicNow(): number {
  const performance = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof performance?.now === 'function' ? performance.now() : Date.now();
}
