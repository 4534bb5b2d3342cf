import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeartbeatSweep } from '../src/core/heartbeat.js';

afterEach(() => void vi.useRealTimers());

describe('HeartbeatSweep', () => {
  it('visits every member once per interval, in slices of about count/slices per tick', () => {
    vi.useFakeTimers();
    const members = new Set(Array.from({ length: 10_000 }, (_, i) => i));
    const visits = new Map<number, number>();
    const perTick: number[] = [];
    let thisTick = 0;
    const sweep = new HeartbeatSweep(
      5_000,
      () => members.values(),
      () => members.size,
      (m) => {
        visits.set(m, (visits.get(m) ?? 0) + 1);
        thisTick++;
      },
    );
    sweep.start();
    for (let t = 0; t < 50 * 3; t++) {
      vi.advanceTimersByTime(100);
      perTick.push(thisTick);
      thisTick = 0;
    }
    // Three intervals: each member three times; no tick handles more than its slice.
    expect([...visits.values()].every((n) => n === 3)).toBe(true);
    expect(visits.size).toBe(10_000);
    expect(Math.max(...perTick)).toBe(200);
    sweep.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with many members, no slice visits more than 200 (more, shorter slices), still each member once per interval', () => {
    vi.useFakeTimers();
    const members = new Set(Array.from({ length: 100_000 }, (_, i) => i));
    const visits = new Map<number, number>();
    let thisTick = 0;
    let most = 0;
    const sweep = new HeartbeatSweep(
      25_000,
      () => members.values(),
      () => members.size,
      (m) => {
        visits.set(m, (visits.get(m) ?? 0) + 1);
        thisTick++;
      },
    );
    sweep.start();
    // 500 slices of 50 ms each in one interval.
    for (let t = 0; t < 500; t++) {
      vi.advanceTimersByTime(50);
      most = Math.max(most, thisTick);
      thisTick = 0;
    }
    expect(visits.size).toBe(100_000);
    expect([...visits.values()].every((n) => n === 1)).toBe(true);
    expect(most).toBe(200);
    sweep.stop();
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

describe('FdLimitWatch', () => {
  it('warns once at 90 % of the descriptors left after start-up, and again only after falling under 80 %', async () => {
    const { FdLimitWatch } = await import('../src/core/fd-limit.js');
    const watch = new FdLimitWatch(120, 20);
    expect(watch.check(89)).toBeUndefined();
    expect(watch.check(90)).toMatch(/90 connections open and the process may open at most 120 files/);
    expect(watch.check(95)).toBeUndefined();
    expect(watch.check(85)).toBeUndefined();
    expect(watch.check(90)).toBeUndefined();
    expect(watch.check(79)).toBeUndefined();
    expect(watch.check(90)).toMatch(/ulimit -n/);
    expect(new FdLimitWatch(Number.POSITIVE_INFINITY, 20).check(1_000_000)).toBeUndefined();
  });
});
