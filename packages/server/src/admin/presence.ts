/**
 * `GET /api/presence?topic=`: who is on a topic with presence, cluster-wide, through
 * `ft.presence`. This module reads the query and says what each failure of the read means to an
 * HTTP caller.
 */
import type { FiretowerApi, PresenceList } from '../types.js';
import { AdminHttpError, codeOf, unavailableOrAsIs } from './errors.js';
import { validTopic } from './validate.js';

/** What the route answers: the list, named by its topic. */
export interface PresenceBody extends PresenceList {
  topic: string;
}

/** The route's topic, or a 400 (missing, repeated, bracketed or malformed). */
export function readPresenceQuery(query: Record<string, unknown>, maxTopicLength: number): string {
  return validTopic(query.topic, maxTopicLength, 'topic');
}

/**
 * No presence for the topic is a 404 (no retry changes it: the `presence` option does not cover
 * the topic, or the server has none); a coded failure of the broker is a 503 to retry; anything
 * uncoded is a bug, left to the error handler's 500.
 */
function toPresenceError(err: unknown, topic: string): unknown {
  const code = codeOf(err);
  if (code === 'no_presence') {
    return new AdminHttpError(404, 'no_presence', `topic ${JSON.stringify(topic)} has no presence (the presence option does not cover it)`);
  }
  if (code === 'invalid_topic') return new AdminHttpError(400, 'invalid_topic', err instanceof Error ? err.message : 'invalid topic');
  return unavailableOrAsIs(err, 'the presence read');
}

export async function readPresence<AppData>(api: FiretowerApi<AppData>, topic: string): Promise<PresenceBody> {
  try {
    const list = await api.presence(topic);
    return { topic, members: list.members, total: list.total, truncated: list.truncated };
  } catch (err) {
    throw toPresenceError(err, topic);
  }
}
