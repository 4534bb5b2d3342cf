/** Shapes shared by the orchestrator, the load generator and its workers. */

/** How a client speaks to a target: Firetower's JSON frames, or the same frames inside Socket.IO events. */
export type Dialect = 'json' | 'socketio';

export type ScenarioName = 'fanout' | 'many-topics' | 'latency' | 'idle' | 'publish-api';

/**
 * The door a publisher pushes through (the publish-api scenario compares them; every other
 * scenario publishes over WebSocket):
 * - `ws`: publish frames on a WebSocket connection, as in every other scenario;
 * - `grpc-stream`: one client-streaming `PublishStream` call of @firetower/grpc;
 * - `http`: one `POST /firetower/api/publish` per message, keep-alive, a bounded number in flight;
 * - `http-batch`: the batch form `{messages:[...]}`, up to `httpBatchSize` messages per POST.
 */
export type PublishVia = 'ws' | 'grpc-stream' | 'http' | 'http-batch';

/** Where a target serves its push APIs (firetower targets started for publish-api). */
export interface PushApiEndpoints {
  /** e.g. `http://127.0.0.1:1234/firetower/api/publish` */
  httpPublishUrl: string;
  /** `host:port` of the gRPC server. */
  grpcAddress: string;
  token: string;
}

/**
 * - `window`: each publisher keeps at most `window` of its messages undelivered (counted over every
 *   subscriber of its topics), so servers run at saturation without unbounded queues;
 * - `rate`: each publisher sends `ratePerSec` messages per second, whatever happens;
 * - `idle`: nothing is published after the subscriptions are confirmed; memory and setup are measured.
 */
export type PublishMode = 'window' | 'rate' | 'idle';

export interface Scenario {
  name: ScenarioName;
  topics: number;
  /** Subscriber connections, spread evenly over the topics, one topic each. */
  subscribers: number;
  /** Publisher connections; publisher p publishes round-robin on the topics t with t % publishers = p. */
  publishers: number;
  /** Approximate size of the JSON `data` of each message. */
  payloadBytes: number;
  mode: PublishMode;
  /** `window` mode: messages per publisher that may be undelivered. */
  window: number;
  /** `rate` mode: messages per second per publisher. */
  ratePerSec: number;
  durationMs: number;
  /** How long to wait for the last deliveries after publishing stops. */
  drainTimeoutMs: number;
  /** `idle` mode: how long the connections sit before memory is read. */
  settleMs: number;
  /**
   * The subscribers connect in this many equal steps, each confirmed before the next; the idle
   * scenario reads memory after every step (the per-connection figure is the slope through them).
   */
  connectSteps: number;
}

/** What the orchestrator hands the load generator for one run. */
export interface LoadPlan {
  scenario: Scenario;
  dialect: Dialect;
  /** One URL per server node; subscribers are split over them. */
  nodeUrls: string[];
  /** Which node the publishers connect to. */
  publisherNode: number;
  /** How publishers push; `ws` unless the scenario compares push APIs. */
  publishVia: PublishVia;
  /** Required when `publishVia` is not `ws`. */
  pushApi?: PushApiEndpoints;
  /** `http`: POSTs in flight per publisher; `http-batch`: batches in flight. */
  httpInFlight: number;
  /** `http-batch`: most messages per POST (the admin API caps a batch at 100). */
  httpBatchSize: number;
  /** Every process of the target (nodes, topic service, redis), for CPU and RSS. */
  serverPids: number[];
  workers: number;
  /** Connection attempts in flight per worker (the listen backlog is finite). */
  connectConcurrency: number;
}

/** One run's figures, as the load generator measured them. */
export interface Measurement {
  delivered: number;
  expected: number;
  lost: number;
  duplicates: number;
  published: number;
  /** Publishes the server acknowledged (HTTP 202 `accepted`, the PublishStream summary); WebSocket publishes have no acknowledgement and count as sent. */
  accepted: number;
  elapsedMs: number;
  deliveredPerSec: number;
  publishesPerSec: number;
  acceptedPerSec: number;
  /** delivered/s ÷ server CPU fraction (CPU-seconds per wall second, summed over the target's processes). */
  deliveriesPerCpuSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Percent of one core, summed over the target's processes. */
  serverCpuPct: number;
  serverRssMb: number;
  loadgenCpuPct: number;
  /**
   * idle: the memory one more connection costs. RSS (summed over the target's processes, each
   * read once every Node process ran a full garbage collection) is read after every connect step;
   * this is the least-squares slope of RSS over connections from the first step's reading on.
   */
  rssPerConnKb: number;
  /** idle: (RSS with every connection − RSS before the first) ÷ connections: one-time costs included. */
  rssPerConnKbWhole: number;
  connectionsPerSec: number;
  connections: number;
}
