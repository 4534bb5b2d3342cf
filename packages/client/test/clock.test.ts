/**
 * The silence watchdog measures time on a monotonic clock: a wall-clock jump (an NTP step, a VM
 * resume; `setSystemTime` here) in either direction neither fires it early nor stops it noticing a
 * dead connection.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { Firetower, LocalCloseCode, type CloseEvent } from '@firetower/client';
import { FakeSocket } from './fake-socket.js';

class QuietSocket extends FakeSocket {
  static latest: QuietSocket | undefined;
  readyState = 0;
  closedWith: number | undefined;
  constructor() {
    super();
    QuietSocket.latest = this;
  }
  override close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
}

const MINUTES = 60_000;

function openClient() {
  const client = new Firetower('ws://clock.invalid/ws', { WebSocket: QuietSocket, heartbeatTimeoutMs: 1_000 });
  const socket = QuietSocket.latest!;
  socket.readyState = 1;
  socket.onopen!({});
  const closes: CloseEvent[] = [];
  client.on('close', (event) => closes.push(event));
  return { client, socket, closes, frame: () => socket.onmessage!({ data: 'heartbeat' }) };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

test('the fake clock moves performance.now() with ticks but not with setSystemTime', () => {
  const before = performance.now();
  vi.setSystemTime(Date.now() + 10 * MINUTES);
  expect(performance.now()).toBe(before);
  vi.advanceTimersByTime(5);
  expect(performance.now()).toBe(before + 5);
});

test('a wall clock stepped forward does not fire the watchdog early', () => {
  const { client, socket, closes, frame } = openClient();
  vi.advanceTimersByTime(600);
  frame();
  vi.advanceTimersByTime(100);
  vi.setSystemTime(Date.now() + 10 * MINUTES);
  // The first window ends at 1000 ms; the last frame was 400 ms before it.
  vi.advanceTimersByTime(300);
  expect(closes).toEqual([]);
  expect(client.state).toBe('open');
  // 1000 ms of real silence after the frame at 600 ms: now it fires.
  vi.advanceTimersByTime(599);
  expect(client.state).toBe('open');
  vi.advanceTimersByTime(1);
  expect(closes[0]).toMatchObject({ code: LocalCloseCode.HeartbeatTimeout, willReconnect: true });
  expect(socket.closedWith).toBe(LocalCloseCode.HeartbeatTimeout);
  client.close();
});

test('a wall clock stepped backward does not stop the watchdog noticing a dead connection', () => {
  const { client, socket, closes } = openClient();
  vi.advanceTimersByTime(500);
  vi.setSystemTime(Date.now() - 10 * MINUTES);
  vi.advanceTimersByTime(499);
  expect(client.state).toBe('open');
  vi.advanceTimersByTime(1);
  expect(closes[0]).toMatchObject({ code: LocalCloseCode.HeartbeatTimeout, willReconnect: true });
  expect(socket.closedWith).toBe(LocalCloseCode.HeartbeatTimeout);
  client.close();
});
