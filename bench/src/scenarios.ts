/** The four scenarios, full size and --quick size. */
import type { Scenario, ScenarioName } from './types.js';

export const ALL_SCENARIOS: readonly ScenarioName[] = ['fanout', 'many-topics', 'latency', 'idle'];

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
    settleMs: 2000,
  },
};

/** Smaller counts and about a second of load per run: keeps the harness honest, not the figures. */
const QUICK: Record<ScenarioName, Partial<Scenario>> = {
  fanout: { subscribers: 200, durationMs: 1000, drainTimeoutMs: 2000 },
  'many-topics': { topics: 50, subscribers: 500, publishers: 10, durationMs: 1000, drainTimeoutMs: 2000 },
  latency: { subscribers: 100, durationMs: 1000, drainTimeoutMs: 2000 },
  idle: { topics: 50, subscribers: 500, settleMs: 300 },
};

export function scenario(name: ScenarioName, quick: boolean): Scenario {
  return quick ? { ...FULL[name], ...QUICK[name] } : FULL[name];
}
