/** Messages between the load generator's main thread and its workers, and the shared counters. */
import type { LoadPlan } from '../types.js';

/** Counters every thread reads and writes with Atomics. */
export interface SharedCounters {
  /** Measured messages sent, per publisher. */
  sentByPublisher: Int32Array;
  /** Measured deliveries received, per publisher of the topic (drives the window). */
  deliveredByPublisher: Int32Array;
  /** Measured messages sent, per topic (each subscriber's expected count). */
  sentByTopic: Int32Array;
  /** Subscribers that saw a probe, per topic. */
  probedByTopic: Int32Array;
  /** [0]: publishers that sent their last measured message. */
  publishersDone: Int32Array;
  /** Every message sent per topic, probes included: on a fresh history topic, the offset of its last publish. */
  publishedByTopic: Int32Array;
  /** recovery: [0] clients that had their ack and everything up to the marker; [1] clients that reached the final offset. */
  recovery: Int32Array;
}

export interface SharedBuffers {
  sentByPublisher: SharedArrayBuffer;
  deliveredByPublisher: SharedArrayBuffer;
  sentByTopic: SharedArrayBuffer;
  probedByTopic: SharedArrayBuffer;
  publishersDone: SharedArrayBuffer;
  publishedByTopic: SharedArrayBuffer;
  recovery: SharedArrayBuffer;
}

export function createSharedBuffers(publishers: number, topics: number): SharedBuffers {
  return {
    sentByPublisher: new SharedArrayBuffer(4 * publishers),
    deliveredByPublisher: new SharedArrayBuffer(4 * publishers),
    sentByTopic: new SharedArrayBuffer(4 * topics),
    probedByTopic: new SharedArrayBuffer(4 * topics),
    publishersDone: new SharedArrayBuffer(4),
    publishedByTopic: new SharedArrayBuffer(4 * topics),
    recovery: new SharedArrayBuffer(8),
  };
}

export function countersOf(buffers: SharedBuffers): SharedCounters {
  return {
    sentByPublisher: new Int32Array(buffers.sentByPublisher),
    deliveredByPublisher: new Int32Array(buffers.deliveredByPublisher),
    sentByTopic: new Int32Array(buffers.sentByTopic),
    probedByTopic: new Int32Array(buffers.probedByTopic),
    publishersDone: new Int32Array(buffers.publishersDone),
    publishedByTopic: new Int32Array(buffers.publishedByTopic),
    recovery: new Int32Array(buffers.recovery),
  };
}

export interface WorkerInit {
  worker: number;
  plan: LoadPlan;
  buffers: SharedBuffers;
}

export type MainToWorker =
  /** Connect step `step` of `steps`: an equal share of this worker's subscribers (step 0 also its publishers). */
  | { cmd: 'connect'; step: number; steps: number }
  | { cmd: 'probe' }
  | { cmd: 'stop-probe' }
  | { cmd: 'go'; endAt: number }
  | { cmd: 'report' }
  /** scale: close every connection of this worker (the server's counts must then return to 0). */
  | { cmd: 'close' }
  /** recovery: terminate every subscriber's socket now and reconnect, resubscribing with `since`. */
  | { cmd: 'drop'; dropAt: number }
  /** recovery: publishing is over; `finals[topic]` is the offset of the topic's last publish. */
  | { cmd: 'final'; finals: number[] };

export interface WorkerReport {
  latencyCounts: Uint32Array;
  latencyMax: number;
  latencyTotal: number;
  lost: number;
  duplicates: number;
  delivered: number;
  /** Measured publishes the server acknowledged (see Measurement.accepted). */
  accepted: number;
  /** Bytes the subscribers' sockets read between `go` and `report`. */
  wireBytes: number;
  /** Subscribers whose handshake negotiated permessage-deflate. */
  deflateNegotiated: number;
  /** recovery only: what the worker's subscribers saw of the drop and their recovery. */
  recovery?: RecoveryReport;
}

/** recovery: one worker's clients, after the drain. */
export interface RecoveryReport {
  /** Per client that recovered: ms from the drop until its ack and every publication up to the marker (see RecoveringSubscriber). */
  recoveryMs: number[];
  /** Per client that got its ack: ms from the drop until the ack. */
  ackMs: number[];
  /** Clients whose ack said `recovered: false`, by reason. */
  notRecovered: Record<string, number>;
  /** Clients that never recovered (no ack, or a gap below the marker). */
  incomplete: number;
  /** Publications each client had to catch up on (marker − the position it resubscribed from), summed. */
  missed: number;
  /** Distinct offsets owed (first received … the topic's last) and received, summed over the clients. */
  expected: number;
  received: number;
  /** Offsets owed but never received, and receptions beyond the first of an offset (or outside the stream), summed. */
  lost: number;
  duplicates: number;
  /** The same among clients whose ack said `recovered: true`: a gap or a double the server did not announce. */
  silentLost: number;
  silentDuplicates: number;
  /** Reconnect attempts that failed (each retried). */
  reconnectFailures: number;
}

export type WorkerToMain =
  | { event: 'connected'; failed: number; subscribers: number; firstError?: string }
  | { event: 'report'; report: WorkerReport }
  | { event: 'closed'; connections: number }
  | { event: 'error'; message: string };

// performance.timeOrigin is taken per thread and can be a millisecond off between threads, so
// anchor performance.now() to the process-wide monotonic clock once per thread instead.
const clockOffset = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** Monotonic ms with sub-millisecond precision, comparable across threads of one process. */
export function now(): number {
  return performance.now() + clockOffset;
}
