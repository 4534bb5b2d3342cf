/**
 * The clock for durations (leases, sweeps, key windows, backoff bookkeeping): monotonic, so an NTP
 * step or a VM resume that moves the wall clock by minutes changes none of them. `Date.now()`
 * stays for timestamps shown to people.
 */
export function monotonicNow(): number {
  return performance.now();
}
