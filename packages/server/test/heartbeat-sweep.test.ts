import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeartbeatSweep } from '../src/core/heartbeat.js';

afterEach(() => void vi.useRealTimers());

describe('HeartbeatSweep', () => {
  /**
   * A sweep over `count` members on fake timers, stepped `ticks` times by `stepMs`: how often each
   * member was visited and the most visits one step made.
   */
  function run(count: number, intervalMs: number, stepMs: number, ticks: number) {
    vi.useFakeTimers();
    const members = new Set(Array.from({ length: count }, (_, i) => i));
    const visits = new Map<number, number>();
    let thisTick = 0;
    let most = 0;
    const sweep = new HeartbeatSweep(
      intervalMs,
      () => members.values(),
      () => members.size,
      (m) => {
        visits.set(m, (visits.get(m) ?? 0) + 1);
        thisTick++;
      },
    );
    sweep.start();
    for (let t = 0; t < ticks; t++) {
      vi.advanceTimersByTime(stepMs);
      most = Math.max(most, thisTick);
      thisTick = 0;
    }
    sweep.stop();
    return { visits, most };
  }

  it('visits every member once per interval, in slices of about count/slices per tick', () => {
    // Three intervals of 50 slices: each member three times; no tick handles more than its slice.
    const { visits, most } = run(10_000, 5_000, 100, 50 * 3);
    expect([...visits.values()].every((n) => n === 3)).toBe(true);
    expect(visits.size).toBe(10_000);
    expect(most).toBe(200);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with many members, no slice visits more than 200 (more, shorter slices), still each member once per interval', () => {
    // 500 slices of 50 ms each in one interval.
    const { visits, most } = run(100_000, 25_000, 50, 500);
    expect(visits.size).toBe(100_000);
    expect([...visits.values()].every((n) => n === 1)).toBe(true);
    expect(most).toBe(200);
  });

  it('skips members that left during a round, and a short interval is one sweep per tick', () => {
    vi.useFakeTimers();
    const members = new Set([1, 2, 3, 4]);
    const seen: number[] = [];
    const sweep = new HeartbeatSweep(
      20,
      () => members.values(),
      () => members.size,
      (m) => {
        seen.push(m);
        if (m === 1) members.delete(3);
      },
    );
    sweep.start();
    vi.advanceTimersByTime(20);
    expect(seen).toEqual([1, 2, 4]);
    sweep.stop();
  });
});
