/**
 * A small Node client for the push API, used by the `firetower-push` CLI. Other languages
 * generate their client from the shipped `proto/firetower.proto`.
 */
import {
  Client,
  credentials as channelCredentials,
  Metadata,
  type ChannelCredentials,
  type MethodDefinition,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import type {
  GetPresenceReply,
  GetPresenceRequest,
  HistoryReply,
  HistoryRequest,
  PublishReply,
  PublishRequest,
  PublishSummary,
  SendReply,
  SendToRequest,
  SendToUserRequest,
  TopicReply,
  TopicRequest,
} from './messages.js';
import { FIRETOWER_SERVICE, loadPackageDefinition } from './proto.js';

export interface PushClientOptions {
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS: `credentials.createSsl(...)`. @default credentials.createInsecure() */
  credentials?: ChannelCredentials;
  /** Deadline of each call in ms. @default 10000 */
  deadlineMs?: number;
}

/** One publish. Give at most one of `json`, `text`, `bytes` (none: the data is null). */
export interface PublishInput {
  topic: string;
  /** JSON text, delivered parsed. */
  json?: string;
  /** Delivered as a string. */
  text?: string;
  /** Delivered as a base64 string. */
  bytes?: Uint8Array;
  excludeClientId?: string;
  idempotencyKey?: string;
}

/** A PublishStream call in progress: write messages, then `end()` for the summary. */
export interface PublishStreamWriter {
  /** False when the call's buffer is full: await `drained()` before writing more. */
  write(input: PublishInput): boolean;
  drained(): Promise<void>;
  /** Half-closes the call and resolves with the server's summary. */
  end(): Promise<PublishSummary>;
  cancel(): void;
}

/** What `history` asks for; see `HistoryRequest` in the proto. */
export interface HistoryInput {
  /** At most this many, the newest (1..10000). @default the topic's history size */
  limit?: number;
  /** Only what came after this position (a delivery's or an earlier reply's `offset` and `epoch`). */
  since?: { offset: number; epoch: string };
}

export interface PushClient {
  /** Resolves with `{ duplicate }`: true when the idempotency key suppressed the delivery. */
  publish(input: PublishInput): Promise<PublishReply>;
  /** High-rate publishing over one client-streaming call (no deadline unless `deadlineMs` is given here). */
  publishStream(options?: { deadlineMs?: number }): PublishStreamWriter;
  getTopic(topic: string): Promise<TopicReply>;
  /**
   * A topic's kept publications (oldest first, each `{ offset, dataJson }`) and its position
   * `{ offset, epoch }`. Rejects with NOT_FOUND for a topic that keeps no history.
   */
  history(topic: string, input?: HistoryInput): Promise<HistoryReply>;
  /**
   * Who is on a topic with presence: `{ members: [{ id, infoJson, connections }], total, truncated }`.
   * Rejects with NOT_FOUND for a topic without presence.
   */
  getPresence(topic: string): Promise<GetPresenceReply>;
  /**
   * Deliver `json` (JSON text; omitted: null) to every connection of a user, on every node, as a
   * delivery on `topic`. Resolves with `{ connections, complete }`: `connections` 0 for an unknown user.
   */
  sendToUser(userId: string, topic: string, json?: string): Promise<SendReply>;
  /** The same to one connection (a WebSocket clientId) wherever it is in the cluster. */
  sendTo(clientId: string, topic: string, json?: string): Promise<SendReply>;
  /** Closes the channel. */
  close(): void;
}

function toRequest(input: PublishInput): Partial<PublishRequest> {
  const request: Partial<PublishRequest> = { topic: input.topic };
  if (input.json !== undefined) request.dataJson = input.json;
  else if (input.text !== undefined) request.dataText = input.text;
  else if (input.bytes !== undefined) request.dataBytes = Buffer.from(input.bytes);
  if (input.excludeClientId !== undefined) request.excludeClientId = input.excludeClientId;
  if (input.idempotencyKey !== undefined) request.idempotencyKey = input.idempotencyKey;
  return request;
}

function toHistoryRequest(topic: string, input: HistoryInput = {}): Partial<HistoryRequest> {
  const request: Partial<HistoryRequest> = { topic, limit: input.limit ?? 0 };
  if (input.since !== undefined) Object.assign(request, { sinceOffset: input.since.offset, sinceEpoch: input.since.epoch });
  return request;
}

/**
 * @example
 * const client = createPushClient('127.0.0.1:50051', { token });
 * await client.publish({ topic: '/chat/world', json: '{"text":"hi"}' });
 * client.close();
 */
export function createPushClient(target: string, options: PushClientOptions = {}): PushClient {
  const service = loadPackageDefinition()[FIRETOWER_SERVICE] as ServiceDefinition;
  const client = new Client(target, options.credentials ?? channelCredentials.createInsecure());
  const deadlineMs = options.deadlineMs ?? 10_000;

  const metadataOf = (): Metadata => {
    const metadata = new Metadata();
    if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
    return metadata;
  };

  const call = <Req, Res>(name: string, request: Req): Promise<Res> => {
    const method = service[name] as MethodDefinition<Req, Res>;
    const metadata = metadataOf();
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, reply?: Res) => (error ? reject(error) : resolve(reply as Res)),
      );
    });
  };

  return {
    publish: async (input) => {
      const reply = await call<Partial<PublishRequest>, Partial<PublishReply>>('Publish', toRequest(input));
      // A server older than the field sends nothing for it.
      return { duplicate: reply?.duplicate === true };
    },
    publishStream: (streamOptions = {}) => {
      const method = service.PublishStream as MethodDefinition<Partial<PublishRequest>, PublishSummary>;
      let settle!: { resolve(summary: PublishSummary): void; reject(error: ServiceError): void };
      const summary = new Promise<PublishSummary>((resolve, reject) => (settle = { resolve, reject }));
      // Callers that never call end() must not see an unhandled rejection.
      summary.catch(() => {});
      const stream = client.makeClientStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        metadataOf(),
        streamOptions.deadlineMs === undefined ? {} : { deadline: Date.now() + streamOptions.deadlineMs },
        (error: ServiceError | null, reply?: PublishSummary) => (error ? settle.reject(error) : settle.resolve(reply as PublishSummary)),
      );
      return {
        write: (input) => stream.write(toRequest(input)),
        drained: () => new Promise((resolve) => stream.once('drain', () => resolve())),
        end: () => {
          stream.end();
          return summary;
        },
        cancel: () => stream.cancel(),
      };
    },
    getTopic: (topic) => call<TopicRequest, TopicReply>('GetTopic', { topic }),
    history: (topic, input) => call<Partial<HistoryRequest>, HistoryReply>('History', toHistoryRequest(topic, input)),
    getPresence: (topic) => call<GetPresenceRequest, GetPresenceReply>('GetPresence', { topic }),
    sendToUser: (userId, topic, json = '') => call<SendToUserRequest, SendReply>('SendToUser', { userId, topic, dataJson: json }),
    sendTo: (clientId, topic, json = '') => call<SendToRequest, SendReply>('SendTo', { clientId, topic, dataJson: json }),
    close: () => client.close(),
  };
}
