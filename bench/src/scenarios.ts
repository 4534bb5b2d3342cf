/** The scenarios, full size and --quick size. */
import { DEFAULT_TARGETS, type TargetName } from './targets.js';
import type { PublishVia, Scenario, ScenarioName } from './types.js';

/** Every scenario `--scenarios` accepts. */
export const ALL_SCENARIOS: readonly ScenarioName[] = [
  'fanout',
  'many-topics',
  'latency',
  'idle',
  'publish-api',
  'compression',
  'idle-deflate',
  'scale',
  'recovery',
];
/**
 * What runs without `--scenarios`. publish-api is left out: it runs only on the firetower
 * targets, four doors each, and would add about a third to a full run for a question (how fast
 * a back end can push) the main scenarios do not ask. scale is left out: it needs the open-file
 * limit raised far beyond most machines' default (see the README) and minutes per target.
 */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['fanout', 'many-topics', 'latency', 'idle', 'compression', 'idle-deflate', 'recovery'];

/**
 * The targets a scenario runs on without `--targets`: compression compares the compressing
 * servers with uncompressed firetower; idle-deflate the memory of a negotiated extension against
 * the same clients on a server that declines it; scale firetower against raw ws. Fan-out and many
 * topics add `firetower-history` (the one node with history on every topic) beside `firetower`;
 * the cluster history targets are opt-in (`--targets`). recovery needs history: it runs on the
 * selected targets that keep it, `firetower-history` by default.
 */
export function defaultTargets(name: ScenarioName): readonly TargetName[] {
  if (name === 'compression') return ['firetower', 'firetower-deflate', 'ws-raw-deflate', 'socketio-deflate'];
  if (name === 'idle-deflate') return ['firetower', 'firetower-deflate', 'ws-raw', 'ws-raw-deflate'];
  if (name === 'scale') return ['firetower', 'ws-raw'];
  if (name === 'recovery') return ['firetower-history'];
  if (name === 'fanout' || name === 'many-topics') return [...DEFAULT_TARGETS, 'firetower-history'];
  return DEFAULT_TARGETS;
}

/** scale: connections on one node without `--scale-connections`. */
export const SCALE_CONNECTIONS = 100_000;
/** scale: the event-loop delay is read in periods of this length. */
export const LOOP_DELAY_PERIOD_MS = 1000;
/** Connections per loopback source address: below the ~28k ephemeral ports of one address. */
const CONNECTIONS_PER_ADDRESS = 20_000;

/** What every scenario shares unless it says otherwise. */
const BASE = {
  payload: 'pad',
  deflate: false,
  closeAll: false,
  sourceAddresses: 1,
  heartbeatIntervalMs: 0,
  memoryReadings: false,
  dropAfterMs: 0,
  historySize: 0,
} as const satisfies Partial<Scenario>;
/** The doors publish-api compares, in table order; `ws` is the reference (the fan-out setup's publisher). */
export const PUBLISH_API_VIAS: readonly PublishVia[] = ['ws', 'grpc-stream', 'http', 'http-batch'];

const FULL: Record<ScenarioName, Scenario> = {
  fanout: {
    ...BASE,
    name: 'fanout',
    topics: 1,
    subscribers: 1000,
    publishers: 1,
    payloadBytes: 64,
    mode: 'window',
    window: 32,
    ratePerSec: 0,
    durationMs: 5000,
    drainTimeoutMs: 3000,
    settleMs: 0,
    connectSteps: 1,
  },
  'many-topics': {
    ...BASE,
    name: 'many-topics',
    topics: 200,
    subscribers: 2000,
    publishers: 20,
    payloadBytes: 256,
    mode: 'window',
    window: 16,
    ratePerSec: 0,
    durationMs: 5000,
    drainTimeoutMs: 3000,
    settleMs: 0,
    connectSteps: 1,
  },
  latency: {
    ...BASE,
    name: 'latency',
    topics: 1,
    subscribers: 500,
    publishers: 1,
    payloadBytes: 64,
    mode: 'rate',
    window: 0,
    ratePerSec: 200,
    durationMs: 5000,
    drainTimeoutMs: 3000,
    settleMs: 0,
    connectSteps: 1,
  },
  idle: {
    ...BASE,
    name: 'idle',
    topics: 100,
    subscribers: 5000,
    publishers: 1,
    payloadBytes: 64,
    mode: 'idle',
    window: 0,
    ratePerSec: 0,
    durationMs: 0,
    drainTimeoutMs: 0,
    settleMs: 300,
    connectSteps: 10,
    memoryReadings: true,
  },
  // Fan-out's subscribers and payload, pushed by a back end. The window is wider than fan-out's
  // so each door's own pipelining (HTTP/2 flow control, requests in flight, 100-message batches)
  // can fill, while a subscriber's queue stays far below the server's 1 MiB slow-consumer limit
  // (256 × ~130 B), so nothing is dropped and accepted = delivered ÷ 1,000.
  'publish-api': {
    ...BASE,
    name: 'publish-api',
    topics: 1,
    subscribers: 1000,
    publishers: 1,
    payloadBytes: 64,
    mode: 'window',
    window: 256,
    ratePerSec: 0,
    durationMs: 5000,
    drainTimeoutMs: 3000,
    settleMs: 0,
    connectSteps: 1,
  },
  // One publisher at a fixed rate, so every target does the same work and server CPU per delivery
  // compares: 5 × 1 KB messages a second to 1,000 subscribers (5,000 deliveries/s) for 10 s. ws's
  // per-socket deflate costs about 100 µs of server CPU per delivery, so even it stays near half a
  // core, and the load generator (inflating every delivery) is not saturated either. Clients offer
  // permessage-deflate.
  compression: {
    ...BASE,
    name: 'compression',
    topics: 1,
    subscribers: 1000,
    publishers: 1,
    payloadBytes: 1024,
    payload: 'trades',
    deflate: true,
    mode: 'rate',
    window: 0,
    ratePerSec: 5,
    durationMs: 10_000,
    drainTimeoutMs: 3000,
    settleMs: 0,
    connectSteps: 1,
  },
  // Idle's method with clients that offer permessage-deflate, and every subscriber receiving at
  // least one compressed 1 KB message (the probes) before memory is read.
  'idle-deflate': {
    ...BASE,
    name: 'idle-deflate',
    topics: 100,
    subscribers: 5000,
    publishers: 1,
    payloadBytes: 1024,
    payload: 'trades',
    deflate: true,
    mode: 'idle',
    window: 0,
    ratePerSec: 0,
    durationMs: 0,
    drainTimeoutMs: 0,
    settleMs: 300,
    connectSteps: 10,
    memoryReadings: true,
  },
  // 100,000 connections (see scaled()), one topic each of 1,000, in 10 steps with memory read
  // after each; then a trickle of 50 publishes a second (one topic each, round robin) for 20 s,
  // four heartbeat intervals of 5 s, while the servers report their event-loop delay; then every
  // connection closes and the server's counts must return to 0.
  scale: {
    ...BASE,
    name: 'scale',
    topics: 1000,
    subscribers: SCALE_CONNECTIONS,
    publishers: 1,
    payloadBytes: 64,
    mode: 'rate',
    window: 0,
    ratePerSec: 50,
    durationMs: 20_000,
    drainTimeoutMs: 5000,
    settleMs: 300,
    connectSteps: 10,
    closeAll: true,
    sourceAddresses: Math.ceil(SCALE_CONNECTIONS / CONNECTIONS_PER_ADDRESS),
    heartbeatIntervalMs: 5000,
    memoryReadings: true,
  },
  // 1,000 clients over 10 history topics (100 each), one publisher at 1,000 msg/s round robin (100
  // msg/s per topic, 100,000 deliveries/s). 2 s after the window opens every client terminates its
  // socket at once and reconnects, resubscribing with `since` = the last position it saw; the
  // publisher goes on for 4 s more. One topic would be 1,000,000 deliveries/s, more than one node
  // (or the load generator) delivers on 2 cores. A topic keeps 1,000 publications (10 s of its
  // traffic), so a client may be away for up to 10 s and still recover without a gap.
  recovery: {
    ...BASE,
    name: 'recovery',
    topics: 10,
    subscribers: 1000,
    publishers: 1,
    payloadBytes: 64,
    mode: 'rate',
    window: 0,
    ratePerSec: 1000,
    durationMs: 6000,
    drainTimeoutMs: 10_000,
    settleMs: 0,
    connectSteps: 1,
    dropAfterMs: 2000,
    historySize: 1000,
  },
};

/** Smaller counts and about a second of load per run: keeps the harness honest, not the figures. */
const QUICK: Record<ScenarioName, Partial<Scenario>> = {
  fanout: { subscribers: 200, durationMs: 1000, drainTimeoutMs: 2000 },
  'many-topics': { topics: 50, subscribers: 500, publishers: 10, durationMs: 1000, drainTimeoutMs: 2000 },
  latency: { subscribers: 100, durationMs: 1000, drainTimeoutMs: 2000 },
  idle: { topics: 50, subscribers: 500, settleMs: 100, connectSteps: 5 },
  'publish-api': { subscribers: 200, durationMs: 1000, drainTimeoutMs: 2000 },
  compression: { subscribers: 100, ratePerSec: 20, durationMs: 1000, drainTimeoutMs: 2000 },
  'idle-deflate': { topics: 50, subscribers: 500, settleMs: 100, connectSteps: 5 },
  // Two source addresses even at this size, so the --quick run exercises them.
  scale: {
    topics: 100,
    subscribers: 1000,
    durationMs: 2500,
    drainTimeoutMs: 2000,
    settleMs: 100,
    connectSteps: 2,
    heartbeatIntervalMs: 1000,
    sourceAddresses: 2,
  },
  recovery: { subscribers: 100, durationMs: 2000, dropAfterMs: 800, drainTimeoutMs: 5000 },
};

export interface ScenarioOverrides {
  /** scale: connections (subscribers) on the one node, instead of 100,000 (or --quick's 1,000). */
  scaleConnections?: number;
  /** Every scenario: the size of each message's data (e.g. compression at 128 B to find the threshold). */
  payloadBytes?: number;
  /** scale: firetower's heartbeat interval instead of 5 s (--quick 1 s). */
  heartbeatIntervalMs?: number;
}

export function scenario(name: ScenarioName, quick: boolean, overrides: ScenarioOverrides = {}): Scenario {
  let chosen = quick ? { ...FULL[name], ...QUICK[name] } : FULL[name];
  if (overrides.payloadBytes !== undefined) chosen = { ...chosen, payloadBytes: overrides.payloadBytes };
  if (name === 'scale' && overrides.heartbeatIntervalMs !== undefined) chosen = { ...chosen, heartbeatIntervalMs: overrides.heartbeatIntervalMs };
  return name === 'scale' && overrides.scaleConnections !== undefined ? scaled(chosen, overrides.scaleConnections) : chosen;
}

/** scale at another size: topics stay at most 1,000 and divide the subscribers evenly. */
function scaled(base: Scenario, connections: number): Scenario {
  const topics = Math.max(1, Math.min(base.topics, connections));
  const subscribers = Math.floor(connections / topics) * topics;
  return { ...base, topics, subscribers, sourceAddresses: Math.max(2, Math.ceil(subscribers / CONNECTIONS_PER_ADDRESS)) };
}
