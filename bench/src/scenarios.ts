/** The scenarios, full size and --quick size. */
import type { PublishVia, Scenario, ScenarioName } from './types.js';

/** Every scenario `--scenarios` accepts. */
export const ALL_SCENARIOS: readonly ScenarioName[] = ['fanout', 'many-topics', 'latency', 'idle', 'publish-api'];
/**
 * What runs without `--scenarios`. publish-api is left out: it runs only on the firetower
 * targets, four doors each, and would add about a third to a full run for a question (how fast
 * a back end can push) the four main scenarios do not ask.
 */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['fanout', 'many-topics', 'latency', 'idle'];
/** The doors publish-api compares, in table order; `ws` is the reference (the fan-out setup's publisher). */
export const PUBLISH_API_VIAS: readonly PublishVia[] = ['ws', 'grpc-stream', 'http', 'http-batch'];

const FULL: Record<ScenarioName, Scenario> = {
  fanout: {
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
  },
  // Fan-out's subscribers and payload, pushed by a back end. The window is wider than fan-out's
  // so each door's own pipelining (HTTP/2 flow control, requests in flight, 100-message batches)
  // can fill, while a subscriber's queue stays far below the server's 1 MiB slow-consumer limit
  // (256 × ~130 B), so nothing is dropped and accepted = delivered ÷ 1,000.
  'publish-api': {
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
};

/** Smaller counts and about a second of load per run: keeps the harness honest, not the figures. */
const QUICK: Record<ScenarioName, Partial<Scenario>> = {
  fanout: { subscribers: 200, durationMs: 1000, drainTimeoutMs: 2000 },
  'many-topics': { topics: 50, subscribers: 500, publishers: 10, durationMs: 1000, drainTimeoutMs: 2000 },
  latency: { subscribers: 100, durationMs: 1000, drainTimeoutMs: 2000 },
  idle: { topics: 50, subscribers: 500, settleMs: 100, connectSteps: 5 },
  'publish-api': { subscribers: 200, durationMs: 1000, drainTimeoutMs: 2000 },
};

export function scenario(name: ScenarioName, quick: boolean): Scenario {
  return quick ? { ...FULL[name], ...QUICK[name] } : FULL[name];
}
