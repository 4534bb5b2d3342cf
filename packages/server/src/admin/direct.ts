/**
 * `POST /api/send-to` `{clientId, topic, data}` and `POST /api/send-to-user` `{userId, topic, data}`:
 * one connection, or every connection of a user, anywhere in the cluster, through `ft.sendTo` /
 * `ft.sendToUser`. This module reads the body (every bad field a 400, nothing sent) and says what
 * each failure of the send means to an HTTP caller.
 */
import type { DirectResult, FiretowerApi } from '../types.js';
import { AdminHttpError, codeOf, unavailableOrAsIs } from './errors.js';
import { validTopic } from './validate.js';

/** The server's bound on a target id (`ft.sendTo` refuses longer ones; a clientId is at most 64). */
export const MAX_TARGET_LENGTH = 256;

export type DirectTarget = { clientId: string } | { userId: string };

export interface DirectRequest {
  target: DirectTarget;
  topic: string;
  data: unknown;
}

function validTarget(value: unknown, field: 'clientId' | 'userId'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TARGET_LENGTH) {
    throw new AdminHttpError(400, 'invalid_target', `${field} must be a string of 1 to ${MAX_TARGET_LENGTH} characters`);
  }
  return value;
}

/** The body of a send to `field`, or a 400 naming the first bad field. */
export function readDirectBody(body: Record<string, unknown>, field: 'clientId' | 'userId', maxTopicLength: number): DirectRequest {
  const id = validTarget(body[field], field);
  const topic = validTopic(body.topic, maxTopicLength, 'topic');
  // As for a publish: a forgotten field is a mistake, not a null message.
  if (!('data' in body)) throw new AdminHttpError(400, 'bad_request', 'data is missing (use null for none)');
  const target: DirectTarget = field === 'clientId' ? { clientId: id } : { userId: id };
  return { target, topic, data: body.data };
}

/**
 * The server's refusals of the request are 400s (the route checked them already; this keeps the
 * answer right should the server's rules be stricter); a full broker buffer is 503
 * broker_overflow as for a publish; any other coded failure (a broker link that is down, a
 * closing node) is 503 broker_unavailable; anything uncoded is a bug, left to the handler's 500.
 */
function toDirectError(err: unknown): unknown {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(code);
  if (code === 'invalid_target' || code === 'invalid_topic') return new AdminHttpError(400, code, message);
  if (code === 'invalid_data') return new AdminHttpError(400, 'bad_request', message);
  if (code === 'broker_overflow') return new AdminHttpError(503, 'broker_overflow', 'the broker buffer is full; retry later');
  return unavailableOrAsIs(err, 'the send');
}

export async function sendDirect<AppData>(api: FiretowerApi<AppData>, { target, topic, data }: DirectRequest): Promise<DirectResult> {
  try {
    const result = 'clientId' in target ? await api.sendTo(target.clientId, topic, data) : await api.sendToUser(target.userId, topic, data);
    return { connections: result.connections, complete: result.complete };
  } catch (err) {
    throw toDirectError(err);
  }
}
