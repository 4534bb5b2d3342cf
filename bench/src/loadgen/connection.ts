/**
 * One client connection of the load generator, in either dialect. Both send and receive the same
 * JSON frames; the Socket.IO dialect wraps them in its own protocol (engine.io v4 over a plain
 * WebSocket, `42["event",…]` packets), spoken here directly so the client side costs the same
 * for every target and only the servers differ.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { Dialect } from '../types.js';

/** The `data` of every benchmark message. */
export interface Payload {
  /** Send time on the load generator's monotonic clock (`now()` in messages.ts). */
  ts: number;
  /** Sequence number within the publisher. */
  s: number;
  /** 1 for probes (subscription checks and warm-up), 0 for measured messages. */
  w: 0 | 1;
  pad: string;
}

/** A delivery's stream position on a topic with history (`"offset":12,"epoch":"k3x9"`); absent otherwise. */
export interface DeliveryPosition {
  offset?: number;
  epoch?: string;
}

/** A history topic's state in a subscribe ack (`streams[topic]`). */
export interface AckStream {
  offset: number;
  epoch: string;
  recovered?: boolean;
  reason?: string;
}

/** A subscribe ack: `{"type":"ack","id":"…","topics":[…],"streams":{…}}` (only for frames that carried an `id`). */
export interface AckFrame {
  type: 'ack';
  id: string;
  streams?: Record<string, AckStream>;
}

/** A subscribe that asks for an ack (`id`) and, on a history topic, a replay after a position (`since`). */
export interface SubscribeOptions {
  id: string;
  since?: { offset: number; epoch: string };
}

export type ConnectionState = 'connecting' | 'ready' | 'closed';

export interface ConnectionOptions {
  /**
   * Offer permessage-deflate (ws's default offer: `permessage-deflate; client_max_window_bits`)
   * and, once negotiated, compress every frame sent, however small, as browsers do (Chromium
   * compresses each message: checked against a ws server counting compressed frames).
   */
  deflate: boolean;
  /** Source address (127.0.0.2, 127.0.0.3 …): each one has its own ~28k ephemeral ports. */
  localAddress?: string;
  /** JSON dialect: called with every ack frame (only frames sent with an `id` get one). */
  onAck?: (ack: AckFrame) => void;
}

export class BenchConnection {
  state: ConnectionState = 'connecting';
  readonly ready: Promise<void>;
  private readonly ws: WebSocket;
  /** The TCP socket under the WebSocket, for its byte count (from the handshake's response). */
  private socket: Socket | undefined;

  constructor(
    url: string,
    private readonly dialect: Dialect,
    onData: (data: Payload, position: DeliveryPosition) => void,
    options: ConnectionOptions = { deflate: false },
  ) {
    this.ws = new WebSocket(url, {
      perMessageDeflate: options.deflate ? { threshold: 0 } : false,
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
    });
    this.ws.once('upgrade', (response) => (this.socket = response.socket as Socket));
    this.ready = new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        if (this.state === 'connecting') reject(error);
        this.state = 'closed';
      };
      this.ws.on('error', fail);
      this.ws.on('close', () => fail(new Error(`closed before ready: ${url}`)));
      const becomeReady = (): void => {
        this.state = 'ready';
        resolve();
      };
      if (dialect === 'json') this.ws.on('open', becomeReady);
      this.ws.on('message', (raw: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const text = raw.toString();
        if (dialect === 'json') this.onJson(text, onData, options.onAck);
        else this.onEngineIo(text, onData, becomeReady);
      });
    });
    // Callers await `ready`; a rejection nobody awaits yet must not crash the worker.
    this.ready.catch(() => undefined);
  }

  /** `options` (JSON dialect only): an `id` for an ack, and `since` to recover a history topic. */
  subscribe(topic: string, options?: SubscribeOptions): void {
    const topics = JSON.stringify([topic]);
    if (this.dialect !== 'json') this.ws.send(`42["join",${topics}]`);
    else if (options === undefined) this.ws.send(`{"type":"subscribe","topic":${topics}}`);
    else {
      const since = options.since !== undefined ? { since: { [topic]: options.since } } : {};
      this.ws.send(JSON.stringify({ type: 'subscribe', topic: [topic], id: options.id, ...since }));
    }
  }

  /** `dataJson` is the payload serialised once by the caller. */
  publish(topic: string, dataJson: string): void {
    const frame = `{"type":"publish","topic":${JSON.stringify(topic)},"data":${dataJson}}`;
    this.ws.send(this.dialect === 'json' ? frame : `42["publish",${frame}]`);
  }

  /** Bytes read from the socket so far: every frame, its header included, handshake response too. */
  get bytesRead(): number {
    return this.socket?.bytesRead ?? 0;
  }

  /** The handshake negotiated permessage-deflate. */
  get deflate(): boolean {
    return this.ws.extensions.includes('permessage-deflate');
  }

  close(): void {
    this.state = 'closed';
    this.ws.terminate();
  }

  private onJson(text: string, onData: (data: Payload, position: DeliveryPosition) => void, onAck: ((ack: AckFrame) => void) | undefined): void {
    if (text.charCodeAt(0) !== 123 /* { */) return; // heartbeat and other non-frames
    const frame = JSON.parse(text) as { type?: string; data?: Payload } & DeliveryPosition;
    if (frame.type === 'publish' && frame.data !== undefined) onData(frame.data, frame);
    else if (frame.type === 'ack') onAck?.(frame as unknown as AckFrame);
  }

  private onEngineIo(text: string, onData: (data: Payload, position: DeliveryPosition) => void, becomeReady: () => void): void {
    switch (text.charCodeAt(0)) {
      case 48 /* 0: engine.io open */:
        this.ws.send('40'); // connect to the main namespace
        return;
      case 50 /* 2: ping */:
        this.ws.send('3');
        return;
      case 52 /* 4: message, then a socket.io packet type */: {
        const packet = text.charCodeAt(1);
        if (packet === 48 /* 0: namespace connected */) becomeReady();
        else if (packet === 50 /* 2: event */) {
          const [event, frame] = JSON.parse(text.slice(2)) as [string, { data?: Payload } & DeliveryPosition];
          if (event === 'publish' && frame.data !== undefined) onData(frame.data, frame);
        }
        return;
      }
      default:
        return;
    }
  }
}
