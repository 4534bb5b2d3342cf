import type { WebSocketLike } from '@firetower/client';

/**
 * A `WebSocketLike` without a network, for unit tests: it holds the handlers the client sets and
 * does nothing else. Subclass it to choose `readyState`, record what the client sends or closes,
 * or play the server's side by calling the handlers.
 */
export abstract class FakeSocket implements WebSocketLike {
  abstract readonly readyState: number;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  send(_data: string): void {}
  close(_code?: number, _reason?: string): void {}
}
