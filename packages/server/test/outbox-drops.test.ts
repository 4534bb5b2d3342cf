import { afterEach, describe, expect, it, vi } from 'vitest';
import { DROP_REPORT_INTERVAL_MS, Outbox, outboxLimits, type OutboxEvents, type WritableSocket } from '../src/transport/send-queue.js';

/** A socket that never drains: every frame past the first backs up, as with a client that stopped reading. */
function stuckSocket(): WritableSocket & { sent: number } {
  return {
    sent: 0,
    bufferedAmount: 1_000_000,
    readyState: 1,
    send() {
      this.sent++;
    },
  };
}

function recorder(): OutboxEvents & { reports: Array<{ droppedFrames: number; totalDropped: number }> } {
  return {
    reports: [],
    outboxDropped(droppedFrames, _queuedBytes, totalDropped) {
      this.reports.push({ droppedFrames, totalDropped });
    },
    outboxOverflow() {},
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Outbox drop accounting', () => {
  it('counts every dropped frame, reports at most once per interval, and reports the rest on close', () => {
    // Only the clock is fake: the outbox's real drain poll cannot end the backlog mid-test.
    vi.useFakeTimers({ toFake: ['performance'] });
    const events = recorder();
    // Room for no frame at all: the socket alone is over the bound, so every write is dropped.
    const outbox = new Outbox(stuckSocket(), outboxLimits(1_000, 'drop-newest'), events);
    for (let i = 0; i < 5_000; i++) outbox.write('x'.repeat(10));
    // The first drop is reported at once; the next 4,999 wait for the interval.
    expect(events.reports).toEqual([{ droppedFrames: 1, totalDropped: 1 }]);
    vi.advanceTimersByTime(DROP_REPORT_INTERVAL_MS);
    outbox.write('y');
    expect(events.reports.at(-1)).toEqual({ droppedFrames: 5_000, totalDropped: 5_001 });
    for (let i = 0; i < 10; i++) outbox.write('z');
    outbox.close();
    expect(events.reports.at(-1)).toEqual({ droppedFrames: 10, totalDropped: 5_011 });
    expect(events.reports.reduce((sum, r) => sum + r.droppedFrames, 0)).toBe(5_011);
    expect(events.reports).toHaveLength(3);
  });

  it('a wall-clock step does not stop or flood the reports (the interval is monotonic)', () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] });
    const events = recorder();
    const outbox = new Outbox(stuckSocket(), outboxLimits(1_000, 'drop-newest'), events);
    outbox.write('a');
    vi.setSystemTime(Date.now() - 3_600_000);
    outbox.write('b');
    vi.setSystemTime(Date.now() + 7_200_000);
    outbox.write('c');
    expect(events.reports).toHaveLength(1);
    vi.advanceTimersByTime(DROP_REPORT_INTERVAL_MS);
    outbox.write('d');
    expect(events.reports.at(-1)).toEqual({ droppedFrames: 3, totalDropped: 4 });
  });
});
