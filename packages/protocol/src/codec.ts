import { ErrorCode } from './codes.js';
import type { AckFrame, ClientFrame, ErrorFrame, RefusedTopic } from './frames.js';
import { checkTopic, DEFAULT_LIMITS } from './limits.js';

export interface DecodeLimits {
  maxTopicsPerFrame: number;
  maxTopicLength: number;
}

export type DecodeResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; error: ErrorFrame };

const MAX_ID_LENGTH = 128;

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
 * Duplicates collapse; order is kept.
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
  for (const item of list) {
    const topic = typeof item === 'string' ? item.trim() : item;
    const check = checkTopic(topic, limits.maxTopicLength);
    if (!check.ok) return fail(ErrorCode.InvalidTopic, check.reason, id, typeof topic === 'string' ? topic : undefined);
    topics.add(topic as string);
  }
  if (topics.size === 0) return fail(ErrorCode.InvalidTopic, 'no topic given', id);
  return [...topics];
}

/**
 * Parses and validates one text frame from a client. Never throws: anything wrong becomes an
 * error frame to send back. JSON.parse makes `__proto__` an own property, and nothing here merges
 * the parsed object into another, so hostile keys stay inert.
 */
export function decodeClientFrame(text: string, limits: DecodeLimits = DEFAULT_LIMITS): DecodeResult {
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
  const id = rawId as string | undefined;

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
      if (!check.ok) return fail(ErrorCode.InvalidTopic, check.reason, id, typeof topic === 'string' ? topic : undefined);
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
      return fail(ErrorCode.UnknownType, `unknown frame type ${JSON.stringify(String(parsed.type)).slice(0, 80)}`, id);
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
