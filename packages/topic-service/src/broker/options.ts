import type { TopicServiceClientError } from '../errors.js';

export interface TopicServiceBrokerOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:7070` (a path prefix is allowed). */
  url: string;
  /** The service's shared secret, sent as `Authorization: Bearer <token>`. @default undefined */
  token?: string;
  /** This node's id at the service. @default the server's nodeId */
  nodeId?: string;
  /** How long the service may hold one poll. @default 10000 */
  pollWaitMs?: number;
  /** Publishes buffered while the service is slow or down; beyond it publish rejects with BrokerOverflowError. @default 10000 */
  maxBufferedPublishes?: number;
  /** Wait this long before sending, to batch more publishes per request; 0 = the next event-loop turn. @default 0 */
  flushIntervalMs?: number;
  /** Most publishes (or count changes) per request; also capped by the service's maxBatch. @default 1000 */
  maxBatch?: number;
  /** First retry delay after a failure. @default 100 */
  backoffMinMs?: number;
  /** Longest retry delay. @default 5000 */
  backoffMaxMs?: number;
  /** Timeout of one request other than a poll (a poll gets `pollWaitMs` + this). @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Deadline of one `claimKey` round trip. A publish waits for its claim, so keep it short: on
   * expiry the claim rejects and the node publishes anyway (at-least-once). @default 2000
   */
  claimTimeoutMs?: number;
  /**
   * Deadline of one `history()` read, and the longest a read waits for this node's earlier
   * publishes (and a history publish for the service to take it) first. A subscribe that recovers
   * waits for it: on expiry the read rejects (`timeout`) and the node answers without a replay.
   * @default 5000
   */
  historyTimeoutMs?: number;
  /**
   * `start()` waits this long for the first registration, so a node that starts next to a
   * running service serves cluster-wide from its first connection; after it, start resolves and
   * registration goes on in the background (the node serves its local clients meanwhile). @default 5000
   */
  startTimeoutMs?: number;
  /**
   * Publishes the service accepted in this window (ms) are kept and sent again when the node
   * registers with a restarted service: the ones it had queued for other nodes and not handed out
   * died with it. Receivers drop copies they had (by origin and sequence). At most
   * `maxBufferedPublishes` are kept. 0 = off. @default 2000
   */
  replayWindowMs?: number;
  /**
   * A persistent link problem is reported once (and again only when it changes): the service
   * unreachable for `reportAfterMs`, a token mismatch (`unauthorized`), a refusal retrying cannot
   * fix (`not_found`, `bad_request`, …), replies that are not the API (`bad_response`). Without
   * this option the report goes to the node's `reportError` when the server provides one, else to
   * `process.emitWarning`. The same problem shows in `status().error` until a request succeeds.
   */
  onError?: (error: TopicServiceClientError) => void;
  /** How long the service may fail to answer before that is reported. @default 3000 */
  reportAfterMs?: number;
  /**
   * Largest reply body read from the service; a bigger one is abandoned mid-stream and counts as
   * `bad_response`. Above the service's largest poll response (`maxPollBytes`, 4 MiB, plus one
   * entry of up to its `maxBodyBytes`). @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number;
}

export type ResolvedOptions = Required<Omit<TopicServiceBrokerOptions, 'token' | 'nodeId' | 'onError'>>;

/** The options with their defaults filled in (the `@default`s above). */
export function resolveOptions(options: TopicServiceBrokerOptions): ResolvedOptions {
  return {
    url: options.url,
    pollWaitMs: options.pollWaitMs ?? 10_000,
    maxBufferedPublishes: options.maxBufferedPublishes ?? 10_000,
    flushIntervalMs: options.flushIntervalMs ?? 0,
    maxBatch: options.maxBatch ?? 1000,
    backoffMinMs: options.backoffMinMs ?? 100,
    backoffMaxMs: options.backoffMaxMs ?? 5000,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    claimTimeoutMs: options.claimTimeoutMs ?? 2000,
    historyTimeoutMs: options.historyTimeoutMs ?? 5000,
    startTimeoutMs: options.startTimeoutMs ?? 5000,
    replayWindowMs: options.replayWindowMs ?? 2000,
    reportAfterMs: options.reportAfterMs ?? 3000,
    maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
  };
}
