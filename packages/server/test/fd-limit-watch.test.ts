import { describe, expect, it } from 'vitest';
import { FdLimitWatch } from '../src/core/fd-limit.js';

// The unit test of the warning's thresholds; fd-limit.test.ts runs a server process under a real `ulimit -n`.
describe('FdLimitWatch', () => {
  it('warns once at 90 % of the descriptors left after start-up, and again only after falling under 80 %', () => {
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
