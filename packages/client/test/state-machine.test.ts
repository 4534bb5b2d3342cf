/**
 * Unit tests of the connection state machine, reconnect policy and offline queue. A scripted
 * socket stands in for the network and fake timers for the clock, so every backoff, timeout and
 * watchdog path runs in microseconds; the same behaviour is covered against the real server in
 * the integration tests.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Firetower, LocalCloseCode, type Environment, type EnvironmentChange, type FiretowerOptions, type FiretowerState } from '@firetower/client';
import { latest, ScriptedSocket } from './scripted-socket.js';

class ScriptedEnvironment implements Environment {
  online = true;
  visible = true;
  private listener: ((change: EnvironmentChange) => void) | undefined;
  isOnline = () => this.online;
  isVisible = () => this.visible;
  watch(onChange: (change: EnvironmentChange) => void) {
    this.listener = onChange;
    return () => {
      this.listener = undefined;
    };
  }
  change(change: EnvironmentChange): void {
    if (change === 'online' || change === 'offline') this.online = change === 'online';
    else this.visible = change === 'visible';
    this.listener?.(change);
  }
}

function client(options: FiretowerOptions = {}) {
  const states: FiretowerState[] = [];
  const ft = new Firetower('ws://test.invalid/ws', { WebSocket: ScriptedSocket, environment: new ScriptedEnvironment(), ...options });
  ft.on('state', ({ current }) => states.push(current));
  return { ft, states };
}

beforeEach(() => {
  vi.useFakeTimers();
  ScriptedSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('state machine', () => {
  test('idle → connecting → open, with the clientId on the URL', () => {
    const { ft, states } = client({ autoConnect: false, clientId: 'c-1' });
    expect(ft.state).toBe('idle');
    expect(ScriptedSocket.all).toHaveLength(0);
    ft.connect();
    latest().accept();
    expect(states).toEqual(['connecting', 'open']);
    expect(ft.isConnected()).toBe(true);
    expect(new URL(latest().url).searchParams.get('clientId')).toBe('c-1');
  });

  test('a drop reconnects after a backoff inside the first window, with the same clientId', () => {
    const { ft, states } = client({ reconnectDelayMinMs: 1_000 });
    latest().accept();
    const reconnecting = vi.fn();
    const closed = vi.fn();
    ft.on('reconnecting', reconnecting);
    ft.on('close', closed);
    latest().drop(1006);
    expect(ft.state).toBe('reconnecting');
    expect(closed).toHaveBeenCalledWith({ code: 1006, reason: '', willReconnect: true });
    const { attempt, delayMs, cause } = reconnecting.mock.calls[0]![0];
    expect({ attempt, cause }).toEqual({ attempt: 1, cause: 'backoff' });
    expect(delayMs).toBeLessThan(1_000);
    vi.advanceTimersByTime(delayMs);
    expect(ScriptedSocket.all).toHaveLength(2);
    latest().accept();
    // 'connecting' happened inside the constructor, before the listener was attached.
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    expect(ScriptedSocket.all[0]!.url).toBe(ScriptedSocket.all[1]!.url);
  });

  test('attempts grow while connections fail and reset after minUptimeMs', () => {
    const { ft } = client({ reconnectDelayMinMs: 100, reconnectDelayMaxMs: 100_000, minUptimeMs: 5_000 });
    const attempts: number[] = [];
    ft.on('reconnecting', ({ attempt }) => attempts.push(attempt));
    latest().drop();
    for (let i = 0; i < 3; i++) {
      vi.runOnlyPendingTimers();
      latest().drop();
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
    vi.runOnlyPendingTimers();
    latest().accept();
    latest().drop(); // before minUptimeMs: still counting
    vi.runOnlyPendingTimers();
    latest().accept();
    vi.advanceTimersByTime(5_000);
    latest().drop();
    expect(attempts).toEqual([1, 2, 3, 4, 5, 1]);
  });

  test('maxAttempts gives up and closes', () => {
    const { ft } = client({ maxAttempts: 2 });
    const closed = vi.fn();
    ft.on('close', closed);
    latest().drop();
    vi.runOnlyPendingTimers();
    latest().drop();
    vi.runOnlyPendingTimers();
    latest().drop();
    expect(ft.state).toBe('closed');
    expect(ScriptedSocket.all).toHaveLength(3);
    expect(closed).toHaveBeenLastCalledWith(expect.objectContaining({ willReconnect: false }));
    vi.advanceTimersByTime(600_000);
    expect(ScriptedSocket.all).toHaveLength(3);
  });

  test.each([4500, 4501, 4502])('close code %i stops reconnecting', (code) => {
    const { ft } = client();
    latest().accept();
    const closed = vi.fn();
    ft.on('close', closed);
    latest().drop(code, 'go away');
    expect(ft.state).toBe('closed');
    expect(closed).toHaveBeenCalledOnce();
    expect(closed).toHaveBeenCalledWith({ code, reason: 'go away', willReconnect: false });
    vi.advanceTimersByTime(600_000);
    expect(ScriptedSocket.all).toHaveLength(1);
  });

  test('shouldReconnect can stop reconnecting', () => {
    const { ft } = client({ shouldReconnect: ({ code }) => code !== 4004 });
    latest().accept();
    latest().drop(4004);
    expect(ft.state).toBe('closed');
  });

  test('retry-after on a graceful shutdown sets the delay', () => {
    const { ft } = client();
    latest().accept();
    const reconnecting = vi.fn();
    ft.on('reconnecting', reconnecting);
    latest().drop(4000, 'retry-after=4321');
    expect(reconnecting).toHaveBeenCalledWith({ attempt: 1, delayMs: 4321, cause: 'retry-after' });
    vi.advanceTimersByTime(4320);
    expect(ScriptedSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  test('close() by the app ends everything, and late callbacks of the old socket are ignored', async () => {
    const { ft, states } = client();
    const old = latest();
    old.accept();
    const pending = ft.publish('/a', 1);
    ft.close();
    expect(old.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    old.drop(1006);
    old.frame('heartbeat');
    vi.advanceTimersByTime(600_000);
    expect(states).toEqual(['open', 'closed']);
    expect(ScriptedSocket.all).toHaveLength(1);
    await expect(ft.publish('/a', 2)).rejects.toMatchObject({ code: 'closed' });
    ft.connect();
    expect(ft.state).toBe('connecting');
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  test('connect() while waiting to reconnect retries at once', () => {
    const { ft } = client({ reconnectDelayMinMs: 60_000, reconnectDelayMaxMs: 60_000 });
    latest().drop();
    ft.connect();
    expect(ScriptedSocket.all).toHaveLength(2);
    ft.connect(); // already trying: no third socket
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  test('a socket that never opens is abandoned after connectionTimeoutMs', () => {
    const { ft } = client({ connectionTimeoutMs: 3_000 });
    vi.advanceTimersByTime(2_999);
    expect(ft.state).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(latest().closedWith?.code).toBe(LocalCloseCode.ConnectTimeout);
    expect(ft.state).toBe('reconnecting');
  });

  test('the watchdog reconnects when no frame arrives, and heartbeats keep it quiet', () => {
    const { ft } = client({ heartbeatTimeoutMs: 10_000 });
    latest().accept();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(6_000);
      latest().frame('heartbeat');
    }
    expect(ft.state).toBe('open');
    vi.advanceTimersByTime(9_999);
    expect(ft.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(latest().closedWith?.code).toBe(LocalCloseCode.HeartbeatTimeout);
    expect(ft.state).toBe('reconnecting');
  });

  test('heartbeatTimeoutMs 0 disables the watchdog', () => {
    const { ft } = client({ heartbeatTimeoutMs: 0 });
    latest().accept();
    vi.advanceTimersByTime(3_600_000);
    expect(ft.state).toBe('open');
  });

  test('offline closes and holds retries; online reconnects at once', () => {
    const environment = new ScriptedEnvironment();
    const { ft } = client({ environment });
    latest().accept();
    environment.change('offline');
    expect(latest().closedWith?.code).toBe(LocalCloseCode.Offline);
    expect(ft.state).toBe('reconnecting');
    vi.advanceTimersByTime(600_000);
    expect(ScriptedSocket.all).toHaveLength(1);
    environment.change('online');
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  test('a hidden page retries slowly, and at once when visible again', () => {
    const environment = new ScriptedEnvironment();
    const { ft } = client({ environment, hiddenRetryDelayMs: 30_000 });
    const reconnecting = vi.fn();
    ft.on('reconnecting', reconnecting);
    latest().accept();
    environment.change('hidden');
    latest().drop();
    expect(reconnecting).toHaveBeenCalledWith({ attempt: 1, delayMs: 30_000, cause: 'hidden' });
    vi.advanceTimersByTime(10_000);
    expect(ScriptedSocket.all).toHaveLength(1);
    environment.change('visible');
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  test('without a WebSocket implementation the constructor stays idle (server-side rendering) and connect() says what to do', () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      const ft = new Firetower('ws://x/ws');
      expect(ft.state).toBe('idle');
      expect(() => ft.connect()).toThrow(/no WebSocket implementation/);
      expect(ft.state).toBe('idle');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('topics and the offline queue across reconnects', () => {
  test('resubscribe first, then the queue in order; in-flight publishes keep their ids', async () => {
    const { ft } = client();
    ft.subscribe(['/a', '/b']);
    latest().accept();
    latest().ackAll();
    const inFlight = ft.publish('/a', 'sent before the drop');
    const sentId = latest()
      .frames()
      .find((f) => f.type === 'publish')!.id;
    latest().drop();
    const queued = [ft.publish('/a', 'q1'), ft.publish('/b', 'q2')];
    vi.runOnlyPendingTimers();
    const socket = latest();
    socket.accept();
    // Nothing but the resubscribe until the server has answered it.
    expect(socket.frames()).toEqual([{ type: 'subscribe', topic: ['/a', '/b'], id: expect.any(String) }]);
    socket.ackAll();
    const publishes = socket.frames().filter((f) => f.type === 'publish');
    expect(publishes.map((f) => f.data)).toEqual(['sent before the drop', 'q1', 'q2']);
    expect(publishes[0]!.id).toBe(sentId);
    socket.ackAll();
    await expect(inFlight).resolves.toEqual({ id: sentId, duplicate: false });
    await Promise.all(queued);
  });

  test('the queue is bounded', async () => {
    const { ft } = client({ maxQueuedPublishes: 2 });
    const ok = [ft.publish('/a', 1), ft.publish('/a', 2)];
    await expect(ft.publish('/a', 3)).rejects.toMatchObject({ code: 'queue_full' });
    expect(ft.queuedPublishes).toBe(2);
    latest().accept();
    latest().ackAll();
    await Promise.all(ok);
  });

  test('a publish without an ack times out', async () => {
    const { ft } = client({ publishTimeoutMs: 2_000 });
    latest().accept();
    const publish = ft.publish('/a', 1);
    vi.advanceTimersByTime(2_000);
    await expect(publish).rejects.toMatchObject({ code: 'timeout' });
  });

  test('a burst of subscribe/unsubscribe while disconnected sends only the final set', () => {
    const { ft } = client();
    const a = ft.subscribe('/a');
    const b = ft.subscribe('/b');
    ft.subscribe('/c');
    a.unsubscribe();
    const b2 = ft.subscribe('/b');
    b.unsubscribe();
    ft.subscribe('/a').unsubscribe();
    latest().accept();
    expect(latest().frames()).toEqual([{ type: 'subscribe', topic: ['/b', '/c'], id: expect.any(String) }]);
    expect(b2.state).toBe('pending');
    latest().ackAll();
    expect(b2.state).toBe('subscribed');
  });

  test('reference counting: the server hears the first subscribe and the last unsubscribe', () => {
    const { ft } = client();
    latest().accept();
    const one = ft.subscribe('/t');
    latest().ackAll();
    const two = ft.subscribe('/t');
    expect(two.state).toBe('subscribed');
    one.unsubscribe();
    two.unsubscribe();
    expect(
      latest()
        .frames()
        .map((f) => f.type),
    ).toEqual(['subscribe', 'unsubscribe']);
  });

  test('a 1009 close rejects the largest publish in flight instead of re-sending it forever', async () => {
    const { ft } = client();
    latest().accept();
    const small = ft.publish('/a', 'x');
    const big = ft.publish('/a', 'y'.repeat(10_000));
    latest().drop(1009);
    await expect(big).rejects.toMatchObject({ code: 'too_large' });
    vi.runOnlyPendingTimers();
    latest().accept();
    latest().ackAll();
    await expect(small).resolves.toMatchObject({ duplicate: false });
  });
});
