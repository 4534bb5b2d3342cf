/** `ft.history`: a topic's kept publications, parsed, and its stream position. */
import type { Broker } from '../broker/types.js';
import { FiretowerServerError, requireTopic } from '../errors.js';
import type { HistoryOptions, HistoryPage } from '../types.js';
import type { HistoryLookup } from './policy.js';
import { sameStream } from './recovery.js';

export async function readHistory(
  broker: Broker,
  lookup: HistoryLookup | undefined,
  maxTopicLength: number,
  topic: string,
  options: HistoryOptions = {},
): Promise<HistoryPage> {
  requireTopic(topic, maxTopicLength);
  const policy = lookup?.(topic);
  if (policy === undefined || broker.history === undefined) throw new FiretowerServerError('no_history', `topic ${JSON.stringify(topic)} keeps no history`);
  const { limit = policy.size, since } = options;
  if (!Number.isInteger(limit) || limit < 0) throw new TypeError('history: limit must be a non-negative integer');
  const query = { limit: Math.min(limit, policy.size), policy };
  let read = await broker.history(topic, since === undefined ? query : { ...query, after: since.offset });
  // A position of another epoch means nothing here: read the stream from its start.
  if (since !== undefined && !sameStream(since, read)) read = await broker.history(topic, query);
  return {
    publications: read.publications.map(({ offset, data }) => ({ offset, data: JSON.parse(data) as unknown })),
    offset: read.offset,
    epoch: read.epoch,
  };
}
