import { describe, expect, test } from 'vitest';
import { backoff, retryAfterDelay } from '@firetower/client';

describe('backoff (full jitter)', () => {
  test('the window doubles per attempt from minMs', () => {
    const top = () => 0.999_999;
    expect(backoff(0, 500, 20_000, top)).toBe(499);
    expect(backoff(1, 500, 20_000, top)).toBe(999);
    expect(backoff(3, 500, 20_000, top)).toBe(3_999);
  });

  test('the window stops growing at maxMs, even for huge attempts', () => {
    const top = () => 0.999_999;
    expect(backoff(6, 500, 20_000, top)).toBe(19_999);
    expect(backoff(5_000, 500, 20_000, top)).toBe(19_999);
  });

  test('the delay is uniform over the whole window, down to zero', () => {
    expect(backoff(4, 500, 20_000, () => 0)).toBe(0);
    expect(backoff(4, 500, 20_000, () => 0.5)).toBe(4_000);
  });

  test('nonsense attempts count as the first one', () => {
    expect(backoff(-3, 100, 1_000, () => 0.5)).toBe(50);
    expect(backoff(Number.NaN, 100, 1_000, () => 0.5)).toBe(50);
    expect(backoff(Number.POSITIVE_INFINITY, 100, 1_000, () => 0.5)).toBe(500);
  });

  test('with Math.random the delay stays inside the window', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const delay = backoff(attempt, 200, 5_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(5_000, 200 * 2 ** attempt));
    }
  });
});

describe('retryAfterDelay (a server hint lengthens the wait, never removes it)', () => {
  test('retry-after=0 still waits at least minMs, plus jitter that grows with the attempts', () => {
    const half = () => 0.5;
    expect(retryAfterDelay(0, 0, 500, 20_000, () => 0)).toBe(500);
    expect(retryAfterDelay(0, 0, 500, 20_000, half)).toBe(750);
    expect(retryAfterDelay(0, 1, 500, 20_000, half)).toBe(1_000);
    expect(retryAfterDelay(0, 4, 500, 20_000, half)).toBe(4_500);
  });

  test('a longer hint wins, up to maxMs', () => {
    expect(retryAfterDelay(4_321, 0, 500, 20_000, () => 0.5)).toBe(4_321);
    expect(retryAfterDelay(999_999_999, 0, 500, 20_000, () => 0.5)).toBe(20_000);
    expect(retryAfterDelay(0, 50, 500, 20_000, () => 0.999)).toBe(20_000);
  });

  test('nonsense hints count as no hint', () => {
    expect(retryAfterDelay(Number.NaN, 0, 100, 1_000, () => 0)).toBe(100);
    expect(retryAfterDelay(-5, 0, 100, 1_000, () => 0)).toBe(100);
  });
});
