import { FakeSocket } from './fake-socket.js';

/**
 * A socket the test plays the server for: `accept()` opens it, `frame()` delivers a server frame,
 * `drop()` closes it, and `sent` / `frames()` hold what the client sent. Every instance is kept in
 * `ScriptedSocket.all` (reset it in `beforeEach`).
 */
export class ScriptedSocket extends FakeSocket {
  static all: ScriptedSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(readonly url: string) {
    super();
    ScriptedSocket.all.push(this);
  }
  override send(data: string): void {
    this.sent.push(data);
  }
  override close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  // The server's side of the script.
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(value: unknown): void {
    this.onmessage?.({ data: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  frames(): Array<Record<string, unknown>> {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
  /** Acks every frame sent so far that carries an id. */
  ackAll(): void {
    for (const frame of this.frames()) if (typeof frame.id === 'string') this.frame({ type: 'ack', id: frame.id });
  }
}

export const latest = (): ScriptedSocket => {
  const socket = ScriptedSocket.all.at(-1);
  if (!socket) throw new Error('no socket was created');
  return socket;
};
