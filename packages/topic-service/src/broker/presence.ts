import type { PresenceEntry, PresenceUpdate } from '@firetower/server';
import { TopicServiceClientError } from '../errors.js';
import { presenceListReply } from '../replies.js';
import { PRESENCE_LIMITS, type PresenceRequest } from '../wire.js';
import type { ServiceClient } from './client.js';
import { withDeadline } from './deadline.js';

/**
 * Write a node's whole presence after (re)registration, in requests of at most `maxBatch`
 * updates: the first says `full`, the last `complete` (an empty presence is one request saying
 * both), so the service drops the node's shares it did not hear only once it heard them all.
 * A service older than presence answers `not_found`: presence then stays local, the node carries on.
 */
export async function writeFullPresence(
  updates: readonly PresenceUpdate[],
  maxBatch: number,
  post: (body: Omit<PresenceRequest, 'epoch'>) => Promise<unknown>,
): Promise<void> {
  try {
    for (let i = 0; i === 0 || i < updates.length; i += maxBatch) {
      const chunk = updates.slice(i, i + maxBatch).map(({ topic, memberId, info, connections }) => ({ topic, memberId, info, connections }));
      await post({ full: i === 0, complete: i + maxBatch >= updates.length, updates: chunk });
    }
  } catch (error) {
    if (error instanceof TopicServiceClientError && error.code === 'not_found') return;
    throw error;
  }
}

/** An integer in [0, max]: a fraction rounds down, NaN becomes 0. */
function clampLimit(limit: number): number {
  if (Number.isNaN(limit)) return 0;
  return Math.max(0, Math.min(PRESENCE_LIMITS.maxListLimit, Math.floor(limit)));
}

/**
 * `GET /v1/topics/:topic/presence` under its own deadline, the answer checked against what was
 * asked (at most `limit` members). Failures are `TopicServiceClientError`s: `timeout`,
 * `not_running` (the broker closed meanwhile), or the request's own.
 */
export async function fetchPresence(
  client: ServiceClient,
  topic: string,
  limit: number,
  closed: AbortSignal,
  timeoutMs: number,
): Promise<{ members: PresenceEntry[]; total: number }> {
  const asked = clampLimit(limit);
  const path = `/v1/topics/${encodeURIComponent(topic)}/presence?limit=${asked}`;
  const answer = await withDeadline(timeoutMs, closed, async (deadline) => {
    try {
      return await client.request('GET', path, undefined, deadline.signal, presenceListReply);
    } catch (error) {
      if (closed.aborted) throw new TopicServiceClientError('not_running', 'presence: the topic-service broker closed');
      if (deadline.timedOut) throw new TopicServiceClientError('timeout', `presence: no answer within ${timeoutMs} ms`);
      throw error;
    }
  });
  if (answer.members.length > asked) {
    throw new TopicServiceClientError('bad_response', `GET ${path}: ${answer.members.length} members, more than the ${asked} asked for`);
  }
  return { members: answer.members.map(({ memberId, info, connections }) => ({ memberId, info, connections })), total: answer.total };
}
