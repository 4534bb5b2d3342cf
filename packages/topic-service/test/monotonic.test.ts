import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TopicServiceCore } from '../src/service/core.js';

// Leases, the sweep and key windows are durations: a wall-clock step (NTP, a VM resume) must not
// move them. Vitest's fake timers: `setSystemTime` moves only the wall clock, `advanceTimersByTime`
// moves both (time really passing).
const sink = { answer: () => undefined };
const session = (core: TopicServiceCore, nodeId: string) => core.register(nodeId, 'e').session;

describe('the service measures durations on the monotonic clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a wall clock stepped 10 minutes forward expires no lease; real time passing does', () => {
    const core = new TopicServiceCore({ leaseMs: 1000 });
    const s = session(core, 'a');
    core.poll('a', { session: s }, 0, 0, sink); // answered at once: the lease runs from here
    vi.setSystemTime(Date.now() + 10 * 60_000);
    vi.advanceTimersByTime(500); // the sweeper runs several times
    expect(core.nodeInfos().map((n) => n.nodeId)).toEqual(['a']);
    expect(core.nodeInfos()[0]!.lagMs).toBe(500);
    vi.advanceTimersByTime(1000);
    expect(core.nodeInfos()).toEqual([]);
    core.close();
  });

  it('a wall clock stepped 10 minutes back does not stop a silent node from expiring', () => {
    const core = new TopicServiceCore({ leaseMs: 1000 });
    session(core, 'a');
    vi.setSystemTime(Date.now() - 10 * 60_000);
    vi.advanceTimersByTime(1500);
    expect(core.nodeInfos()).toEqual([]);
    core.close();
  });

  it('idempotency keys keep their window across a wall-clock step either way', () => {
    const core = new TopicServiceCore();
    expect(core.claim(['k'], 60_000)).toEqual([true]);
    vi.setSystemTime(Date.now() + 10 * 60_000);
    vi.advanceTimersByTime(1000);
    expect(core.claim(['k'], 60_000)).toEqual([false]); // still taken: only 1 s really passed
    vi.setSystemTime(Date.now() - 20 * 60_000);
    vi.advanceTimersByTime(60_000);
    expect(core.claim(['k'], 60_000)).toEqual([true]); // 61 s really passed: expired
    core.close();
  });
});
