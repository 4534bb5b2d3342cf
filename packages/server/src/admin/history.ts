/**
 * `GET /api/history?topic=&limit=&sinceOffset=&sinceEpoch=`: a topic's kept publications through
 * `ft.history`. This module reads the query (every bad value a 400) and says what each failure of
 * the read means to an HTTP caller.
 */
import { MAX_EPOCH_LENGTH, MAX_SINCE_LIMIT } from '@firetower/protocol';
import type { FiretowerApi, HistoryOptions, HistoryPage } from '../types.js';
import { AdminHttpError, codeOf, unavailableOrAsIs } from './errors.js';
import { validTopic } from './validate.js';

export interface HistoryQuery {
  topic: string;
  options: HistoryOptions;
}

/** What the route answers: the page, named by its topic. */
export interface HistoryBody extends HistoryPage {
  topic: string;
}

/** A parsed query string's value: a string, or an array or object when a key repeats or has brackets. */
type QueryValue = unknown;

function integerParam(raw: QueryValue, name: string, max: number): number | undefined {
  if (raw === undefined) return undefined;
  // Digits only: '1e3', '0x10', ' 5', '-1' and '5.0' are all someone else's idea of an integer.
  const n = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(Number.isSafeInteger(n) && n <= max)) throw new AdminHttpError(400, 'bad_request', `${name} must be an integer from 0 to ${max}`);
  return n;
}

/**
 * `since` is a position the server gave out: both halves or neither. An empty epoch is the
 * position of a stream that has not started (offset 0); with any other offset it was never given.
 */
function readSince(rawOffset: QueryValue, rawEpoch: QueryValue): HistoryOptions['since'] {
  if (rawOffset === undefined && rawEpoch === undefined) return undefined;
  const offset = integerParam(rawOffset, 'sinceOffset', Number.MAX_SAFE_INTEGER);
  if (offset === undefined || rawEpoch === undefined) throw new AdminHttpError(400, 'bad_request', 'sinceOffset and sinceEpoch go together');
  if (typeof rawEpoch !== 'string' || rawEpoch.length > MAX_EPOCH_LENGTH) {
    throw new AdminHttpError(400, 'bad_request', `sinceEpoch must be a string of at most ${MAX_EPOCH_LENGTH} characters`);
  }
  if (rawEpoch === '' && offset !== 0) throw new AdminHttpError(400, 'bad_request', 'an empty sinceEpoch only goes with sinceOffset=0');
  return { offset, epoch: rawEpoch };
}

/** The route's query, or a 400 naming the first bad parameter. */
export function readHistoryQuery(query: Record<string, QueryValue>, maxTopicLength: number): HistoryQuery {
  const topic = validTopic(query.topic, maxTopicLength, 'topic');
  const options: HistoryOptions = {};
  // No limit: the topic's history size. 0 answers the position alone.
  const limit = integerParam(query.limit, 'limit', MAX_SINCE_LIMIT);
  if (limit !== undefined) options.limit = limit;
  const since = readSince(query.sinceOffset, query.sinceEpoch);
  if (since !== undefined) options.since = since;
  return { topic, options };
}

/**
 * What a failed read means: no history for the topic is a 404 (the topic may well exist: it keeps
 * nothing, which no retry changes); a coded error of the store (a Redis or topic-service link that
 * is down, a read timeout, the server's `history_unavailable`, a closing node) is a 503 to retry
 * (on this node or another); anything uncoded is a bug, left to the error handler's 500.
 */
function toHistoryError(err: unknown, topic: string): unknown {
  const code = codeOf(err);
  if (code === 'no_history')
    return new AdminHttpError(404, 'no_history', `topic ${JSON.stringify(topic)} keeps no history (the history option does not cover it)`);
  if (code === 'invalid_topic') return new AdminHttpError(400, 'invalid_topic', err instanceof Error ? err.message : 'invalid topic');
  return unavailableOrAsIs(err, 'the history read');
}

export async function readHistory<AppData>(api: FiretowerApi<AppData>, { topic, options }: HistoryQuery): Promise<HistoryBody> {
  try {
    const page = await api.history(topic, options);
    return { topic, publications: page.publications, offset: page.offset, epoch: page.epoch };
  } catch (err) {
    throw toHistoryError(err, topic);
  }
}
