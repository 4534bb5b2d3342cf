import { ErrorCode } from './codes.js';
import type { AckFrame, ClientFrame, ErrorFrame, RefusedTopic } from './frames.js';
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
    case 'unsubscribe': {
      const topics = readTopics(parsed.topic ?? parsed.topics, limits, id);
      if (!Array.isArray(topics)) return topics;
      const type = parsed.type === 'subscribe' ? 'subscribe' : 'unsubscribe';
      return { ok: true, frame: id === undefined ? { type, topics } : { type, topics, id } };
    }
    case 'publish': {
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
    default:
      return fail(ErrorCode.UnknownType, `unknown frame type ${describeValue(parsed.type)}`, id);
  }
}

/**
 * Builds a delivery frame from data that is already JSON text, so a publish is serialised once
 * however many subscribers and nodes it reaches.
 */
export function encodeDelivery(topic: string, dataJson: string): string {
  return `{"type":"publish","topic":${JSON.stringify(topic)},"data":${dataJson}}`;
}

export function encodeAck(id: string, extra?: { topics?: string[]; refused?: RefusedTopic[]; duplicate?: boolean }): string {
  const frame: AckFrame = { type: 'ack', id, ...extra };
  return JSON.stringify(frame);
}

export function encodeError(error: ErrorFrame): string {
  return JSON.stringify(error);
}
