/** Shapes shared by the orchestrator, the load generator and its workers. */

/** How a client speaks to a target: Firetower's JSON frames, or the same frames inside Socket.IO events. */
export type Dialect = 'json' | 'socketio';

export type ScenarioName = 'fanout' | 'many-topics' | 'latency' | 'idle' | 'publish-api' | 'compression' | 'idle-deflate' | 'scale' | 'recovery';

/**
 * What a message's `data` looks like besides the measuring fields (`ts`, `s`, `w`):
 * - `pad`: a run of `x` up to `payloadBytes` (compresses to almost nothing; fine when nothing compresses);
 * - `trades`: a market-data feed update, a list of trades of one symbol filled up to `payloadBytes`
 *   (realistic JSON: deflate alone, without context, makes one 1 KB delivery about 3.3× smaller).
 */
export type PayloadKind = 'pad' | 'trades';

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
  /** What the payload is made of (see PayloadKind). */
  payload: PayloadKind;
  /** Clients offer permessage-deflate (ws's `perMessageDeflate: true`); the server decides. */
  deflate: boolean;
  /**
   * scale: after the load, every connection is closed and the server's counts and heap are read
   * again (they must return to 0 and near the baseline).
   */
  closeAll: boolean;
  /** scale: the loopback addresses 127.0.0.1, 127.0.0.2 … connections come from (one address has ~28k ports). */
  sourceAddresses: number;
  /** scale: the server's heartbeat interval (firetower targets); 0 keeps the target's default. */
  heartbeatIntervalMs: number;
  /**
   * Read memory (after a full collection in every server process) before the first connect step
   * and after every step, as the idle scenario does; scale does it and then publishes.
   */
  memoryReadings: boolean;
  /**
   * recovery: this long after the measured window opens, every subscriber terminates its socket
   * (no close frame) and reconnects at once, resubscribing with `since` = the last position it
   * saw; 0: never (every other scenario).
   */
  dropAfterMs: number;
  /** Publications kept per topic on the history targets (`firetower-history` …); 0: the target's default (100). */
  historySize: number;
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
  /**
   * Bytes the subscribers' sockets read during the measured window (WebSocket frames, headers
   * included; no TCP/IP headers) ÷ measured deliveries: what one delivery costs on the wire.
   */
  wireBytesPerDelivery: number;
  /** Server CPU time (every process of the target, all threads) ÷ measured deliveries, in µs. */
  serverCpuUsPerDelivery: number;
  /** Subscribers whose handshake negotiated permessage-deflate. */
  deflateNegotiated: number;
  /** The measured window on the monotonic clock shared by every process (`now()`), in ms. */
  windowStartAt: number;
  windowEndAt: number;
  /**
   * scale: the servers' event-loop delay (perf_hooks.monitorEventLoopDelay in every Node process
   * of the target, read once a second): the worst one-second p99, and the maximum, over the
   * one-second periods inside the measured window.
   */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** scale: one-second periods the loop-delay figures cover. */
  loopDelayPeriods: number;
  /** scale: heap used (after a full collection, summed over the target's Node processes) before the first connection, in MB. */
  heapBaselineMb: number;
  /** scale: the same with every connection open. */
  heapLoadedMb: number;
  /** scale: the same once every connection was closed and the server counted 0. */
  heapAfterCloseMb: number;
  /** scale: RSS once every connection was closed (after the collection), in MB. */
  rssAfterCloseMb: number;
  /** scale: the servers' connection and topic counts once closing stopped changing them (both must be 0). */
  connectionsAfterClose: number;
  topicsAfterClose: number;
  /** scale: from closing the first connection until the server counted 0 connections and 0 topics. */
  closeMs: number;
  /**
   * recovery: per client, from the drop until it had its resubscribe's ack and every publication
   * of its topic up to the marker (the topic's last publish when the ack arrived: what it missed
   * while away, replayed, and what was published meanwhile); p50, p99 and max over the clients
   * that got there.
   */
  recoveryP50Ms: number;
  recoveryP99Ms: number;
  recoveryMaxMs: number;
  /** recovery: from the drop until the last client's subscribe ack arrived (reconnect included). */
  recoveryAckMaxMs: number;
  /** recovery: clients whose ack said `recovered: false` (any reason). */
  recoveredFalse: number;
  /** recovery: those clients by the ack's reason (`too_old`, `unavailable` …; `no_stream`: the ack had no stream for the topic). */
  recoveryReasons: Record<string, number>;
  /**
   * recovery: lost and duplicated (as `lost`, `duplicates`) among the clients whose ack said
   * `recovered: true` only: a gap or a double the server did not announce. A client told
   * `recovered: false` knows it missed something; the raw client here does not try again.
   */
  lostSilent: number;
  duplicatesSilent: number;
  /** recovery: clients that never had their ack and everything up to the marker before the drain gave up. */
  recoveryIncomplete: number;
  /** recovery: publications a client had to catch up on (marker − the position it resubscribed from), mean over clients. */
  missedPerClient: number;
  /** recovery: clients that recovered (ack and marker reached). */
  recoveredClients: number;
  /** recovery: server CPU (every process of the target) from the drop until the last client recovered, in ms. */
  recoveryServerCpuMs: number;
  /** recovery: the same ÷ that wall time, in percent of one core. */
  recoveryServerCpuPct: number;
}
