import { checkTopic } from '@firetower/protocol';

/**
 * The topics of a subscribe call, deduplicated. Plain JavaScript callers can pass anything: what is
 * not a string or an array becomes a one-item list that the topic check then refuses, so a bad
 * argument is an `invalid` error on the handle, never an exception.
 */
export function topicList(topics: unknown): unknown[] {
  return [...new Set<unknown>(Array.isArray(topics) ? topics : [topics])];
}

/** What is wrong with a subscribe's topics, checked before anything is sent. */
export function topicProblem(topics: readonly unknown[]): { reason: string; topic?: string } | undefined {
  if (topics.length === 0) return { reason: 'no topic given' };
  for (const topic of topics) {
    const check = checkTopic(topic);
    if (!check.ok) return typeof topic === 'string' ? { reason: check.reason, topic } : { reason: check.reason };
  }
  return undefined;
}
