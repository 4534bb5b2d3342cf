import { checkTopic, DEFAULT_LIMITS } from '@firetower/protocol';
import type { Request } from 'express';
import { AdminHttpError } from './errors.js';

/** Largest request body the admin API parses. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Most messages one batch publish may carry. */
export const MAX_BATCH_MESSAGES = 100;
const MAX_ID_LENGTH = 256;

export interface PublishRequest {
  topic: string;
  data: unknown;
  idempotencyKey?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parsed JSON object body, or a 415/400 saying why there is none. */
export function requireJsonObject(req: Request): Record<string, unknown> {
  if (req.body === undefined) {
    if (!req.is('application/json')) {
      throw new AdminHttpError(415, 'unsupported_media_type', 'send a JSON body with Content-Type: application/json');
    }
    throw new AdminHttpError(400, 'bad_request', 'body is empty');
  }
  if (!isPlainObject(req.body)) throw new AdminHttpError(400, 'bad_request', 'body must be a JSON object');
  return req.body;
}

/** An optional JSON object body (kick's `reason`): no body at all is fine. */
export function optionalJsonObject(req: Request): Record<string, unknown> {
  if (req.body === undefined) return {};
  if (!isPlainObject(req.body)) throw new AdminHttpError(400, 'bad_request', 'body must be a JSON object');
  return req.body;
}

export function validTopic(topic: unknown, maxLength: number, where = 'topic'): string {
  const check = checkTopic(topic, maxLength);
  if (!check.ok) throw new AdminHttpError(400, 'invalid_topic', `${where}: ${check.reason}`);
  return topic as string;
}

export function validUserId(userId: unknown): string {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_ID_LENGTH) {
    throw new AdminHttpError(400, 'bad_request', `userId must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  return userId;
}

export function optionalString(value: unknown, field: string, maxLength = MAX_ID_LENGTH): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new AdminHttpError(400, 'bad_request', `${field} must be a string of 1 to ${maxLength} characters`);
  }
  return value;
}

function readMessage(raw: unknown, maxTopicLength: number, where: string): PublishRequest {
  if (!isPlainObject(raw)) throw new AdminHttpError(400, 'bad_request', `${where} must be a JSON object`);
  if (!('data' in raw)) throw new AdminHttpError(400, 'bad_request', `${where}.data is missing (use null for none)`);
  const message: PublishRequest = { topic: validTopic(raw.topic, maxTopicLength, `${where}.topic`), data: raw.data };
  const key = optionalString(raw.idempotencyKey, `${where}.idempotencyKey`);
  if (key !== undefined) message.idempotencyKey = key;
  return message;
}

/**
 * `{topic, data, idempotencyKey?}` or `{messages: [...]}`. The whole body is validated before
 * anything is published, so a bad batch publishes nothing.
 */
export function readPublishBody(
  body: Record<string, unknown>,
  maxTopicLength: number = DEFAULT_LIMITS.maxTopicLength,
): { batch: boolean; messages: PublishRequest[] } {
  if (!('messages' in body)) return { batch: false, messages: [readMessage(body, maxTopicLength, 'body')] };
  const list = body.messages;
  if (!Array.isArray(list) || list.length === 0) {
    throw new AdminHttpError(400, 'bad_request', 'messages must be a non-empty array');
  }
  if (list.length > MAX_BATCH_MESSAGES) {
    throw new AdminHttpError(413, 'too_many_messages', `a batch may hold at most ${MAX_BATCH_MESSAGES} messages`, {
      limit: MAX_BATCH_MESSAGES,
    });
  }
  return { batch: true, messages: list.map((raw, i) => readMessage(raw, maxTopicLength, `messages[${i}]`)) };
}
