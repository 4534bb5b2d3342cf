import { ErrorCode } from './codes.js';
import type { AckFrame, ClientFrame, ErrorFrame, PresenceList, RefusedTopic } from './frames.js';
import { MAX_EPOCH_LENGTH, MAX_SINCE_LIMIT, type SinceRequest, type StreamPosition, type StreamState } from './history.js';
import { checkTopic, DEFAULT_LIMITS, describeValue, jsonDepthExceeds } from './limits.js';

export interface DecodeLimits {
  maxTopicsPerFrame: number;
  maxTopicLength: number;
  /** @default DEFAULT_LIMITS.maxJsonDepth (64) */
  maxJsonDepth?: number;
}

export type DecodeResult = { ok: true; frame: ClientFrame } | { ok: false; error: ErrorFrame };

const MAX_ID_LENGTH = 128;
/** A bad topic echoed in an error frame is cut to this many characters. */
const MAX_ECHOED_TOPIC = 256;

/** The topic to echo in an error frame: strings only, bounded. */
function echoTopic(topic: unknown): string | undefined {
  return typeof topic === 'string' ? topic.slice(0, MAX_ECHOED_TOPIC) : undefined;
}

function fail(code: ErrorCode, message: string, id?: string, topic?: string): DecodeResult {
  const error: ErrorFrame = { type: 'error', code, message };
  if (id !== undefined) error.id = id;
  if (topic !== undefined) error.topic = topic;
  return { ok: false, error };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Topics arrive as the original's comma-separated string or as a JSON array of strings.
 * Duplicates collapse; order is kept. A topic is never rewritten (no trimming): one with
 * whitespace is refused here exactly as a publish to it would be.
 */
function readTopics(raw: unknown, limits: DecodeLimits, id: string | undefined): string[] | DecodeResult {
  let list: unknown[];
  if (typeof raw === 'string') list = raw.split(',');
  else if (Array.isArray(raw)) list = raw;
  else return fail(ErrorCode.InvalidTopic, 'topic must be a string or an array of strings', id);
  // Checked before any per-topic work so a 10,000-topic frame costs one comparison.
  if (list.length > limits.maxTopicsPerFrame) {
    return fail(ErrorCode.TooManyTopics, `at most ${limits.maxTopicsPerFrame} topics per frame`, id);
  }
  const topics = new Set<string>();
  for (const topic of list) {
    const check = checkTopic(topic, limits.maxTopicLength);
    if (!check.ok) return fail(ErrorCode.InvalidTopic, check.reason, id, echoTopic(topic));
    topics.add(topic as string);
  }
  if (topics.size === 0) return fail(ErrorCode.InvalidTopic, 'no topic given', id);
  return [...topics];
}

const isCount = (value: unknown, max: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;

/**
 * A subscribe's `since` map: one entry per subscribed topic at most, each `{ offset, epoch }` or
 * `{ limit }`. Returns the map (in a null-prototype object, so `__proto__` is just a topic) or
 * why it is refused.
 */
function readSince(raw: unknown, topics: readonly string[]): Record<string, SinceRequest> | string {
  if (!isPlainObject(raw)) return 'since must be an object of topic -> { offset, epoch } or { limit }';
  const since = Object.create(null) as Record<string, SinceRequest>;
  const subscribed = new Set(topics);
  const keys = Object.keys(raw);
  if (keys.length > topics.length) return 'since names a topic that is not subscribed';
  for (const topic of keys) {
    if (!subscribed.has(topic)) return 'since names a topic that is not subscribed';
    const entry = raw[topic];
    if (!isPlainObject(entry)) return 'since entries must be { offset, epoch } or { limit }';
    if (entry.limit !== undefined) {
      if (!isCount(entry.limit, MAX_SINCE_LIMIT) || entry.limit === 0) return `since limit must be an integer from 1 to ${MAX_SINCE_LIMIT}`;
      since[topic] = { limit: entry.limit };
    } else {
      if (!isCount(entry.offset, Number.MAX_SAFE_INTEGER)) return 'since offset must be a non-negative integer';
      if (typeof entry.epoch !== 'string' || entry.epoch.length > MAX_EPOCH_LENGTH)
        return `since epoch must be a string of at most ${MAX_EPOCH_LENGTH} characters`;
      since[topic] = { offset: entry.offset, epoch: entry.epoch };
    }
  }
  return since;
}

/** At most this many credentials, each value at most this long: a token, not a payload. */
export const MAX_CREDENTIALS = 16;
export const MAX_CREDENTIAL_LENGTH = 8_192;

/** A refresh frame's `credentials`: string values only, bounded; a null-prototype record. */
function readCredentials(raw: unknown): Record<string, string> | string {
  if (!isPlainObject(raw)) return 'credentials must be an object of strings';
  const keys = Object.keys(raw);
  if (keys.length > MAX_CREDENTIALS) return `at most ${MAX_CREDENTIALS} credentials`;
  const credentials = Object.create(null) as Record<string, string>;
  for (const key of keys) {
    const value = raw[key];
    if (typeof value !== 'string' || value.length > MAX_CREDENTIAL_LENGTH || key.length > 128) {
      return `credentials must be strings of at most ${MAX_CREDENTIAL_LENGTH} characters`;
    }
    credentials[key] = value;
  }
  return credentials;
}

/** A subscribe or unsubscribe frame (a subscribe may carry `presence` and `since`). */
function readSubscription(parsed: Record<string, unknown>, type: 'subscribe' | 'unsubscribe', limits: DecodeLimits, id: string | undefined): DecodeResult {
  const topics = readTopics(parsed.topic ?? parsed.topics, limits, id);
  if (!Array.isArray(topics)) return topics;
  const frame: ClientFrame = id === undefined ? { type, topics } : { type, topics, id };
  if (type === 'subscribe' && parsed.presence !== undefined) {
    if (typeof parsed.presence !== 'boolean') return fail(ErrorCode.InvalidField, 'presence must be a boolean', id);
    if (parsed.presence) (frame as { presence?: boolean }).presence = true;
  }
  if (type === 'subscribe' && parsed.since !== undefined) {
    const since = readSince(parsed.since, topics);
    if (typeof since === 'string') return fail(ErrorCode.InvalidField, since, id);
    (frame as { since?: Record<string, SinceRequest> }).since = since;
  }
  return { ok: true, frame };
}

function readPublish(parsed: Record<string, unknown>, limits: DecodeLimits, id: string | undefined): DecodeResult {
  const topic = parsed.topic;
  const check = checkTopic(topic, limits.maxTopicLength);
  if (!check.ok) return fail(ErrorCode.InvalidTopic, check.reason, id, echoTopic(topic));
  const excludeSelf = parsed.excludeSelf;
  if (excludeSelf !== undefined && typeof excludeSelf !== 'boolean') {
    return fail(ErrorCode.InvalidField, 'excludeSelf must be a boolean', id);
  }
  const retry = parsed.retry;
  if (retry !== undefined && typeof retry !== 'boolean') return fail(ErrorCode.InvalidField, 'retry must be a boolean', id);
  const frame: ClientFrame = { type: 'publish', topic: topic as string, data: parsed.data ?? null };
  if (id !== undefined) frame.id = id;
  if (excludeSelf) frame.excludeSelf = true;
  if (retry) frame.retry = true;
  return { ok: true, frame };
}

/**
 * Parses and validates one text frame from a client. Never throws (a property test feeds it
 * hostile JSON): anything wrong becomes an error frame to send back. The nesting depth is bounded
 * before parsing; client values are never converted to strings (only a string is echoed, cut).
 * JSON.parse makes `__proto__` an own property, and nothing here merges the parsed object into
 * another, so hostile keys stay inert.
 */
export function decodeClientFrame(text: string, limits: DecodeLimits = DEFAULT_LIMITS): DecodeResult {
  const maxDepth = limits.maxJsonDepth ?? DEFAULT_LIMITS.maxJsonDepth;
  if (jsonDepthExceeds(text, maxDepth)) return fail(ErrorCode.BadFrame, `frame is nested deeper than ${maxDepth} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(ErrorCode.BadFrame, 'frame is not valid JSON');
  }
  if (!isPlainObject(parsed)) return fail(ErrorCode.BadFrame, 'frame must be a JSON object');

  const rawId = parsed.id;
  if (rawId !== undefined && (typeof rawId !== 'string' || rawId.length === 0 || rawId.length > MAX_ID_LENGTH)) {
    return fail(ErrorCode.InvalidField, `id must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  const id = rawId;

  switch (parsed.type) {
    case 'subscribe':
    case 'unSubscribe':
    case 'unsubscribe':
      return readSubscription(parsed, parsed.type === 'subscribe' ? 'subscribe' : 'unsubscribe', limits, id);
    case 'publish':
      return readPublish(parsed, limits, id);
    case 'presence': {
      const topic = parsed.topic;
      const check = checkTopic(topic, limits.maxTopicLength);
      if (!check.ok) return fail(ErrorCode.InvalidTopic, check.reason, id, echoTopic(topic));
      return { ok: true, frame: id === undefined ? { type: 'presence', topic: topic as string } : { type: 'presence', topic: topic as string, id } };
    }
    case 'refresh': {
      const credentials = readCredentials(parsed.credentials);
      if (typeof credentials === 'string') return fail(ErrorCode.InvalidField, credentials, id);
      return { ok: true, frame: id === undefined ? { type: 'refresh', credentials } : { type: 'refresh', credentials, id } };
    }
    default:
      return fail(ErrorCode.UnknownType, `unknown frame type ${describeValue(parsed.type)}`, id);
  }
}

/**
 * Builds a delivery frame from data that is already JSON text, so a publish is serialised once
 * however many subscribers and nodes it reaches.
 */
export function encodeDelivery(topic: string, dataJson: string, position?: StreamPosition): string {
  if (position === undefined) return `{"type":"publish","topic":${JSON.stringify(topic)},"data":${dataJson}}`;
  return `{"type":"publish","topic":${JSON.stringify(topic)},"data":${dataJson},"offset":${position.offset},"epoch":${JSON.stringify(position.epoch)}}`;
}

export function encodeAck(
  id: string,
  extra?: {
    topics?: string[];
    refused?: RefusedTopic[];
    duplicate?: boolean;
    streams?: Record<string, StreamState>;
    expiresInMs?: number;
    presence?: PresenceList;
  },
): string {
  const frame: AckFrame = { type: 'ack', id, ...extra };
  return JSON.stringify(frame);
}

export function encodeError(error: ErrorFrame): string {
  return JSON.stringify(error);
}

export function encodeSession(expiresInMs: number): string {
  return `{"type":"session","expiresInMs":${Math.max(0, Math.round(expiresInMs))}}`;
}
