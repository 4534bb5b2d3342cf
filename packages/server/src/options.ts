import { DEFAULT_LIMITS, type Limits } from '@firetower/protocol';
import { memoryBroker } from './broker/memory.js';
import type { Broker } from './broker/types.js';
import { outboxLimits, type OutboxLimits } from './transport/send-queue.js';
import type { FiretowerHooks, FiretowerOptions } from './types.js';
import { resolveHistory, type HistoryLookup } from './history/policy.js';
import { resolvePresence, type PresenceLookup } from './presence/policy.js';

/** Options with every default applied; what the rest of the server reads. */
export interface ResolvedOptions<AppData> {
  path: string;
  hooks: FiretowerHooks<AppData>;
  broker: Broker;
  limits: Readonly<Limits>;
  allowedOrigins: ReadonlySet<string> | '*';
  allowedHosts: ReadonlySet<string> | undefined;
  /** Shared permessage-deflate; undefined when off. */
  compression: { threshold: number } | undefined;
  heartbeatIntervalMs: number;
  rawDelivery: boolean;
  /** maxQueueBytes and slowConsumerPolicy, one object every outbox of the node shares. */
  outbox: OutboxLimits;
  maxInboundQueue: number;
  readTimeoutMs: number;
  dedupeWindowMs: number;
  countDebounceMs: number;
  prefix: string;
  serveClient: boolean;
  authRefusal: 'close' | 'http';
  publish: 'allow' | 'deny';
  /** The presence policy of a topic; undefined when no topic has presence. */
  presence: PresenceLookup | undefined;
  /** The history policy of a topic; undefined when no topic keeps history. */
  history: HistoryLookup | undefined;
}

function normalisePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 && withSlash.endsWith('/') ? withSlash.slice(0, -1) : withSlash;
}

/** Origins compare as `scheme://host[:port]`; a malformed entry is kept as written so it never matches by accident. */
export function normaliseOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`firetower: option ${name} must be a non-negative number`);
  }
  return value;
}

function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new TypeError(`firetower: option ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}`);
  return value;
}

/** Below this many bytes a delivery goes uncompressed by default (see the README's Compression section). */
export const DEFAULT_COMPRESSION_THRESHOLD = 256;

function resolveCompression(option: FiretowerOptions<unknown>['compression']): { threshold: number } | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return Object.freeze({ threshold: DEFAULT_COMPRESSION_THRESHOLD });
  return Object.freeze({ threshold: nonNegative(option.threshold, DEFAULT_COMPRESSION_THRESHOLD, 'compression.threshold') });
}

export function resolveOptions<AppData>(options: FiretowerOptions<AppData> = {}): ResolvedOptions<AppData> {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>) {
    const value = options.limits?.[key];
    if (value !== undefined) limits[key] = nonNegative(value, DEFAULT_LIMITS[key], `limits.${key}`);
  }
  const origins = options.allowedOrigins ?? [];
  return {
    path: normalisePath(options.path ?? '/ws'),
    hooks: options.hooks ?? {},
    broker: options.broker ?? memoryBroker(),
    limits: Object.freeze(limits),
    allowedOrigins: origins === '*' ? '*' : new Set(origins.map(normaliseOrigin)),
    allowedHosts: options.allowedHosts === undefined ? undefined : new Set(options.allowedHosts.map((host) => host.toLowerCase())),
    compression: resolveCompression(options.compression),
    heartbeatIntervalMs: nonNegative(options.heartbeatIntervalMs, 25_000, 'heartbeatIntervalMs'),
    rawDelivery: options.rawDelivery ?? false,
    outbox: outboxLimits(
      nonNegative(options.maxQueueBytes, 1024 * 1024, 'maxQueueBytes'),
      options.slowConsumerPolicy ?? 'drop-oldest',
      resolveCompression(options.compression)?.threshold,
    ),
    maxInboundQueue: Math.max(1, nonNegative(options.maxInboundQueue, 256, 'maxInboundQueue')),
    readTimeoutMs: nonNegative(options.readTimeoutMs, 5_000, 'readTimeoutMs'),
    dedupeWindowMs: nonNegative(options.dedupeWindowMs, 60_000, 'dedupeWindowMs'),
    countDebounceMs: nonNegative(options.countDebounceMs, 100, 'countDebounceMs'),
    prefix: normalisePath(options.prefix ?? '/firetower'),
    serveClient: options.serveClient ?? true,
    history: resolveHistory(options.history),
    presence: resolvePresence(options.presence),
    authRefusal: oneOf(options.authRefusal, ['close', 'http'], 'close', 'authRefusal'),
    publish: oneOf(options.publish, ['allow', 'deny'], 'deny', 'publish'),
  };
}
