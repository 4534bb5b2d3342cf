/**
 * The door a load-generator publisher pushes through: a WebSocket connection, a gRPC
 * `PublishStream` call, or HTTP `POST /firetower/api/publish` (one message or a batch per
 * request). Each door paces the publisher with its own flow control (`writable()` false until
 * `onWritable` fires), on top of the scenario's delivery window, and counts what the server
 * acknowledged.
 */
import { Agent, request } from 'node:http';
import type { createPushClient, PublishStreamWriter, PushClient } from '@firetower/grpc';
import type { LoadPlan, PushApiEndpoints } from '../types.js';
import { BenchConnection } from './connection.js';

/** A variable, so the bundler leaves the import to run time. */
const GRPC_PACKAGE = '@firetower/grpc';

export class PushChannelError extends Error {
  readonly code = 'push_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'PushChannelError';
  }
}

export interface PublishChannel {
  readonly ready: Promise<void>;
  /** False while the door's own flow control says wait. */
  writable(): boolean;
  /** Called once when a blocked door may take more (replaces an earlier waiter). */
  onWritable(callback: () => void): void;
  /** `dataJson` is the payload serialised once by the caller. Always taken, even when not writable. */
  publish(topic: string, dataJson: string): void;
  /** Sends what is buffered (a partial batch) if the door has room, or at once with `force`. */
  flush(force?: boolean): void;
  /** The first failure seen so far (a refused request), to stop a run early instead of timing out. */
  failure(): Error | undefined;
  /** Sends the rest, waits for every acknowledgement and resolves with how many were accepted. */
  finish(): Promise<number>;
  close(): void;
}

/** Over the publisher's WebSocket connection: no flow control of its own, no acknowledgement. */
class WebSocketChannel implements PublishChannel {
  private readonly conn: BenchConnection;
  private sent = 0;

  constructor(url: string, plan: LoadPlan) {
    this.conn = new BenchConnection(url, plan.dialect, () => undefined);
  }

  get ready(): Promise<void> {
    return this.conn.ready;
  }

  writable(): boolean {
    return true;
  }

  onWritable(): void {}

  publish(topic: string, dataJson: string): void {
    this.sent++;
    this.conn.publish(topic, dataJson);
  }

  flush(): void {}

  failure(): undefined {
    return undefined;
  }

  finish(): Promise<number> {
    return Promise.resolve(this.sent);
  }

  close(): void {
    this.conn.close();
  }
}

/** One client-streaming PublishStream call for the whole run; HTTP/2 flow control paces it. */
class GrpcStreamChannel implements PublishChannel {
  readonly ready: Promise<void>;
  private client: PushClient | undefined;
  private stream: PublishStreamWriter | undefined;
  private blocked = false;
  private waiter: (() => void) | undefined;

  constructor(api: PushApiEndpoints) {
    // Loaded on demand: the other scenarios' load generators never need grpc-js (or its build).
    this.ready = import(GRPC_PACKAGE).then((mod: { createPushClient: typeof createPushClient }) => {
      this.client = mod.createPushClient(api.grpcAddress, { token: api.token });
      this.stream = this.client.publishStream();
    });
  }

  writable(): boolean {
    return !this.blocked;
  }

  onWritable(callback: () => void): void {
    this.waiter = callback;
  }

  publish(topic: string, dataJson: string): void {
    const stream = this.stream!;
    if (stream.write({ topic, json: dataJson }) || this.blocked) return;
    this.blocked = true;
    void stream.drained().then(() => {
      this.blocked = false;
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.();
    });
  }

  flush(): void {}

  /** grpc-js reports a failed call only with its summary, at `finish()`. */
  failure(): undefined {
    return undefined;
  }

  async finish(): Promise<number> {
    const summary = await this.stream!.end();
    if (summary.rejected > 0) {
      const first = summary.firstError;
      throw new PushChannelError(`PublishStream rejected ${summary.rejected} (first: ${first?.code ?? '?'} ${first?.message ?? ''})`);
    }
    return summary.accepted;
  }

  close(): void {
    this.client?.close();
  }
}

/**
 * `POST /firetower/api/publish` over keep-alive connections, at most `inFlight` requests
 * outstanding. With `batchSize` > 1 messages are gathered into `{messages:[...]}` bodies.
 */
class HttpChannel implements PublishChannel {
  readonly ready = Promise.resolve();
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private batch: string[] = [];
  private inFlight = 0;
  private accepted = 0;
  private firstFailure: Error | undefined;
  private waiter: (() => void) | undefined;
  private idle: (() => void) | undefined;

  constructor(
    api: PushApiEndpoints,
    private readonly maxInFlight: number,
    private readonly batchSize: number,
  ) {
    // One socket per request in flight, kept open: the producer never pays a handshake per publish.
    this.agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
    this.url = new URL(api.httpPublishUrl);
    this.headers = { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' };
  }

  writable(): boolean {
    return this.inFlight < this.maxInFlight;
  }

  onWritable(callback: () => void): void {
    this.waiter = callback;
  }

  publish(topic: string, dataJson: string): void {
    const message = `{"topic":${JSON.stringify(topic)},"data":${dataJson}}`;
    if (this.batchSize <= 1) {
      this.post(message);
      return;
    }
    this.batch.push(message);
    if (this.batch.length >= this.batchSize) this.flush(true);
  }

  flush(force = false): void {
    if (this.batch.length === 0 || (!force && !this.writable())) return;
    const body = `{"messages":[${this.batch.join(',')}]}`;
    this.batch = [];
    this.post(body);
  }

  async finish(): Promise<number> {
    this.flush(true);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.firstFailure !== undefined) throw this.firstFailure;
    return this.accepted;
  }

  failure(): Error | undefined {
    return this.firstFailure;
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: string): void {
    this.inFlight++;
    const req = request(this.url, { method: 'POST', agent: this.agent, headers: this.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode === 202) this.accepted += (JSON.parse(text) as { accepted: number }).accepted;
        else this.firstFailure ??= new PushChannelError(`POST ${this.url.pathname}: ${res.statusCode} ${text.slice(0, 200)}`);
        this.settled();
      });
    });
    req.on('error', (error) => {
      this.firstFailure ??= new PushChannelError(`POST ${this.url.pathname}: ${error.message}`);
      this.settled();
    });
    req.end(body);
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const idle = this.idle;
      this.idle = undefined;
      idle?.();
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

export function createPublishChannel(plan: LoadPlan): PublishChannel {
  if (plan.publishVia === 'ws') return new WebSocketChannel(plan.nodeUrls[plan.publisherNode]!, plan);
  const api = plan.pushApi;
  if (api === undefined) throw new PushChannelError(`publishing via ${plan.publishVia} needs the target's push API endpoints`);
  if (plan.publishVia === 'grpc-stream') return new GrpcStreamChannel(api);
  return new HttpChannel(api, plan.httpInFlight, plan.publishVia === 'http-batch' ? plan.httpBatchSize : 1);
}
