import WebSocket from 'ws';

/** A raw WebSocket test client: records every frame, waits for one with a deadline. */
export interface RawClient {
  ws: WebSocket;
  frames: Array<Record<string, any>>;
  send(frame: unknown): void;
  next(predicate: (frame: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Deliveries (`type: 'publish'`) on a topic, their data in order. */
  received(topic: string): unknown[];
  /** Subscribe and wait for the ack. */
  subscribe(topics: string[]): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let ids = 0;

export async function connectClient(url: string): Promise<RawClient> {
  const ws = new WebSocket(url);
  const frames: Array<Record<string, any>> = [];
  const listeners = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (raw) => {
    const text = raw.toString();
    if (text === 'heartbeat') return;
    frames.push(JSON.parse(text));
    for (const l of listeners) l();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const client: RawClient = {
    ws,
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next(predicate, timeoutMs = 5000) {
      const found = frames.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.slice(-5))}`));
        }, timeoutMs);
        const check = () => {
          const hit = frames.find(predicate);
          if (!hit) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(hit);
        };
        listeners.add(check);
      });
    },
    received: (topic) => frames.filter((f) => f.type === 'publish' && f.topic === topic).map((f) => f.data),
    async subscribe(topics) {
      const id = `s${++ids}`;
      client.send({ type: 'subscribe', topic: topics, id });
      await client.next((f) => f.type === 'ack' && f.id === id);
    },
    closed,
    close: () => ws.close(),
  };
  return client;
}
