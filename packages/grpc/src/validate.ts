/** Turns wire requests into the server's operations' arguments, or an InvalidArgumentError. */
import { checkTopic, DEFAULT_LIMITS, jsonDepthExceeds } from '@firetower/protocol';
import type { PublishOptions } from '@firetower/server';
import { InvalidArgumentError } from './errors.js';
import type { PublishRequest } from './messages.js';
import type { ResolvedOptions } from './options.js';

export type ValidationLimits = Pick<ResolvedOptions, 'maxDataBytes' | 'maxTopicLength'>;

/** Matches the WebSocket side's cap on ids (codec MAX_ID_LENGTH). */
const MAX_KEY_LENGTH = 128;

/**
 * Deepest nesting of arrays and objects in `data_json`: the deepest data a WebSocket publish frame
 * may carry (the protocol bounds a frame at `maxJsonDepth` levels, the frame object being the
 * first), so a gRPC publish is never deeper than what the WebSocket door accepts. Checked on the
 * text before it is parsed: nothing (JSON.parse, the server's JSON.stringify, a hook) ever recurses
 * over a deeper value.
 */
export const MAX_DATA_DEPTH = DEFAULT_LIMITS.maxJsonDepth - 1;

export interface ValidPublish {
  topic: string;
  data: unknown;
  options: PublishOptions;
}

export function validTopic(topic: string, limits: Pick<ResolvedOptions, 'maxTopicLength'>): string {
  const check = checkTopic(topic, limits.maxTopicLength);
  if (!check.ok) throw new InvalidArgumentError('invalid_topic', `${check.reason}: ${JSON.stringify(topic.slice(0, 80))}`);
  return topic;
}

export function validUserId(userId: string): string {
  if (userId.length === 0) throw new InvalidArgumentError('invalid_field', 'user_id is empty');
  return userId;
}

/** The server's bound on a SendTo / SendToUser target (`ft.sendTo` refuses longer ids). */
export const MAX_TARGET_LENGTH = 256;

/** A `user_id` / `client_id` to send to: the server's rule, checked before anything is parsed. */
export function validTarget(id: string, field: 'user_id' | 'client_id'): string {
  if (id.length === 0 || id.length > MAX_TARGET_LENGTH) {
    throw new InvalidArgumentError('invalid_target', `${field} must be 1 to ${MAX_TARGET_LENGTH} characters (got ${id.length})`);
  }
  return id;
}

function tooLarge(bytes: number, limits: Pick<ResolvedOptions, 'maxDataBytes'>): InvalidArgumentError {
  return new InvalidArgumentError('data_too_large', `data is ${bytes} bytes, more than max_data_bytes ${limits.maxDataBytes}`);
}

/** `data_json` text as its value: bounded in size and depth before it is parsed. */
export function parseDataJson(text: string, limits: Pick<ResolvedOptions, 'maxDataBytes'>): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxDataBytes) throw tooLarge(bytes, limits);
  if (jsonDepthExceeds(text, MAX_DATA_DEPTH)) {
    throw new InvalidArgumentError('data_too_deep', `data_json nests arrays/objects deeper than ${MAX_DATA_DEPTH} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'parse error';
    throw new InvalidArgumentError('invalid_json', `data_json is not valid JSON (${reason})`);
  }
}

function dataOf(request: PublishRequest, limits: ValidationLimits): unknown {
  switch (request.data) {
    case 'dataJson':
      return parseDataJson(request.dataJson ?? '', limits);
    case 'dataText': {
      const text = request.dataText ?? '';
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > limits.maxDataBytes) throw tooLarge(bytes, limits);
      return text;
    }
    case 'dataBytes': {
      const raw = request.dataBytes ?? Buffer.alloc(0);
      if (raw.length > limits.maxDataBytes) throw tooLarge(raw.length, limits);
      return Buffer.from(raw).toString('base64');
    }
    case undefined: // no data set
    default:
      return null;
  }
}

/** Validates one publish: topic, data size and syntax, option fields. */
export function validPublish(request: PublishRequest, limits: ValidationLimits): ValidPublish {
  const topic = validTopic(request.topic, limits);
  const data = dataOf(request, limits);
  const options: PublishOptions = {};
  if (request.excludeClientId.length > 0) options.excludeClientId = request.excludeClientId;
  if (request.idempotencyKey.length > 0) {
    if (request.idempotencyKey.length > MAX_KEY_LENGTH) {
      throw new InvalidArgumentError('invalid_field', `idempotency_key is longer than ${MAX_KEY_LENGTH} characters`);
    }
    options.idempotencyKey = request.idempotencyKey;
  }
  return { topic, data, options };
}
