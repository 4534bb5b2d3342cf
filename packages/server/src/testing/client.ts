import WebSocket from 'ws';

/**
 * A received frame: the parsed JSON object, or `{ type: 'text', text, value }` for a frame that is
 * not a JSON object (the `heartbeat` text frame, raw deliveries of non-object data).
 */
// Test frames are arbitrary JSON; `any` values keep assertions short in tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestFrame = { type: string; [key: string]: any };

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface TestClient {
  readonly ws: WebSocket;
  /** Every frame received so far, in order (including those `next` consumed). */
  readonly received: TestFrame[];
  /** Resolves when the socket closes. */
  readonly closed: Promise<CloseInfo>;
  /** Send an object (as JSON) or a raw string / Buffer. */
  send(frame: object | string | Buffer, options?: { binary?: boolean }): void;
  /**
   * The next not-yet-consumed frame matching `predicate` (already received or arriving within
   * `timeoutMs`); it is consumed, non-matching frames stay for later calls.
   */
  next(predicate?: (frame: TestFrame) => boolean, timeoutMs?: number): Promise<TestFrame>;
  /** Next delivery `{type:'publish'}` on a topic (any topic when omitted). */
  nextDelivery(topic?: string, timeoutMs?: number): Promise<TestFrame>;
  /** Send a frame with an id (its own `id` when it has one) and wait for its ack or error. */
  request(frame: Record<string, unknown>, timeoutMs?: number): Promise<TestFrame>;
  /** Stop reading the socket (the server's writes back up) / read again. */
  pause(): void;
  resume(): void;
  close(code?: number, reason?: string): Promise<CloseInfo>;
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  origin?: string;
  /** Answer server pings (default true); false simulates a half-open peer. */
  autoPong?: boolean;
}

function parse(text: string): TestFrame {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as TestFrame;
    return { type: 'text', text, value };
  } catch {
    return { type: 'text', text };
  }
}

let nextRequestId = 0;

/** A refused upgrade: the HTTP status and body the server answered with. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with HTTP ${status}: ${body}`);
    this.name = 'UpgradeRefused';
  }
}

/**
 * Opens a raw WebSocket to a firetower endpoint. Resolves once open; rejects with
 * `UpgradeRefused` (status + body) when the server answers the upgrade with an HTTP error.
 */
export function connect(wsUrl: string, query: Record<string, string> = {}, options: ConnectOptions = {}): Promise<TestClient> {
  const url = new URL(wsUrl);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const ws = new WebSocket(url, {
    headers: options.headers,
    ...(options.origin !== undefined && { origin: options.origin }),
    autoPong: options.autoPong ?? true,
  });
  const received: TestFrame[] = [];
  const unconsumed: TestFrame[] = [];
  const waiters = new Set<{ predicate: (frame: TestFrame) => boolean; resolve: (frame: TestFrame) => void }>();
  const closed = new Promise<CloseInfo>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

  ws.on('message', (data) => {
    const frame = parse((data as Buffer).toString()); // binaryType is the default 'nodebuffer': always one Buffer
    received.push(frame);
    for (const waiter of waiters) {
      if (waiter.predicate(frame)) {
        waiters.delete(waiter);
        waiter.resolve(frame);
        return;
      }
    }
    unconsumed.push(frame);
  });

  const client: TestClient = {
    ws,
    received,
    closed,
    send(frame, sendOptions) {
      const data = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
      ws.send(data, { binary: sendOptions?.binary ?? false });
    },
    next(predicate = () => true, timeoutMs = 5_000) {
      const index = unconsumed.findIndex(predicate);
      if (index >= 0) return Promise.resolve(unconsumed.splice(index, 1)[0]!);
      return new Promise<TestFrame>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (frame: TestFrame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.slice(-5).map((f) => JSON.stringify(f).slice(0, 200));
          reject(new Error(`no matching frame within ${timeoutMs} ms; last frames: ${seen.join(' | ')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    nextDelivery(topic, timeoutMs) {
      return client.next((f) => f.type === 'publish' && (topic === undefined || f.topic === topic), timeoutMs);
    },
    request(frame, timeoutMs) {
      const id = typeof frame.id === 'string' ? frame.id : `r${++nextRequestId}`;
      client.send({ ...frame, id });
      return client.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === id, timeoutMs);
    },
    pause() {
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    },
    resume() {
      (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
      return closed;
    },
  };

  return new Promise<TestClient>((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Polls `condition` (sync or async) until true; rejects with `message` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, message = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
