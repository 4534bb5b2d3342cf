import type { HistoryPolicy, HistoryQuery, HistoryRead } from '@firetower/server';
import { TopicServiceClientError } from '../errors.js';
import { historyReply } from '../replies.js';
import { HISTORY_LIMITS, type HistoryRequest, type WireHistoryPolicy } from '../wire.js';
import type { ServiceClient } from './client.js';
import { withDeadline } from './deadline.js';

/** An integer in [min, max]: a fraction rounds down, NaN becomes `min`, Infinity `max`. */
function clamp(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return min;
  return Math.max(min, Math.min(max, Math.floor(value)));
}

/**
 * A node's policy as the service accepts it: within `HISTORY_LIMITS` (at most 10,000
 * publications, 7 days). Clamped rather than sent as is: the service refuses a policy beyond its
 * bounds, and a refused publish batch is dropped whole, with every other publish in it.
 */
export function wirePolicy(policy: HistoryPolicy): WireHistoryPolicy {
  return {
    size: clamp(policy.size, 0, HISTORY_LIMITS.maxSize),
    ttlMs: clamp(policy.ttlMs, 1, HISTORY_LIMITS.maxTtlMs),
    metaTtlMs: clamp(policy.metaTtlMs, 1, HISTORY_LIMITS.maxTtlMs),
  };
}

/** A read as the service takes it (`limit` at most `HISTORY_LIMITS.maxLimit`, `after` a non-negative integer). */
export function historyRequest(topic: string, query: HistoryQuery): HistoryRequest {
  const request: HistoryRequest = { topic, limit: clamp(query.limit, 0, HISTORY_LIMITS.maxLimit), policy: wirePolicy(query.policy) };
  const after = clamp(query.after ?? 0, 0, Number.MAX_SAFE_INTEGER);
  if (after > 0) request.after = after;
  return request;
}

/**
 * `POST /v1/history` under its own deadline (a timer this broker owns, see `deadline.ts`), the
 * answer checked against what was asked: at most `limit` publications, all above `after`.
 * Failures are `TopicServiceClientError`s: `timeout`, `not_running` (the broker closed meanwhile),
 * or the request's own (`network`, `bad_response`, a refusal such as `not_found` from a service
 * without history).
 */
export async function fetchHistory(client: ServiceClient, request: HistoryRequest, closed: AbortSignal, timeoutMs: number): Promise<HistoryRead> {
  const answer = await withDeadline(timeoutMs, closed, async (deadline) => {
    try {
      return await client.request('POST', '/v1/history', request, deadline.signal, historyReply);
    } catch (error) {
      if (closed.aborted) throw new TopicServiceClientError('not_running', 'history: the topic-service broker closed');
      if (deadline.timedOut) throw new TopicServiceClientError('timeout', `history: no answer within ${timeoutMs} ms`);
      throw error;
    }
  });
  const { publications } = answer;
  const after = request.after ?? 0;
  if (publications.length > request.limit || (publications.length > 0 && publications[0]!.offset <= after)) {
    throw new TopicServiceClientError('bad_response', `POST /v1/history: publications beyond what was asked (limit ${request.limit}, after ${after})`);
  }
  return { publications: publications.map(({ offset, data }) => ({ offset, data })), offset: answer.offset, epoch: answer.epoch };
}
