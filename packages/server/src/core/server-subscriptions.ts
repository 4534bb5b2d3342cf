/**
 * Subscription changes the server makes on a connection (the Tower API's subscribe and
 * unsubscribe, and cluster removals): checked as a client's would be, applied to the hub, and the
 * app's hooks queued behind the frames the connection already sent. Kept out of the Tower, which
 * only checks its own state and calls these.
 */
import { checkTopic } from '@firetower/protocol';
import { FiretowerServerError } from '../errors.js';
import { andThen } from './settle.js';
import type { TowerHost } from './host.js';
import type { TowerImpl } from './tower.js';

/** The topics argument of the Tower API as a list; throws FiretowerServerError('invalid_topic'). */
export function toTopicList(topics: string | string[]): string[] {
  const list = typeof topics === 'string' ? topics.split(',') : topics;
  for (const topic of list) {
    const check = checkTopic(topic, Number.MAX_SAFE_INTEGER);
    if (!check.ok) throw new FiretowerServerError('invalid_topic', `invalid topic ${JSON.stringify(topic)}: ${check.reason}`);
  }
  return list;
}

/** Subscribe an open connection to checked topics, then queue onSubscribe for those it gained. */
export function subscribeByServer<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, list: readonly string[]): void {
  // The same bound as a client's subscribe: the server may not grow a connection past it either.
  const max = host.options.limits.maxTopicsPerConnection;
  const fresh = new Set(list.filter((topic) => !tower.topicSet.has(topic))).size;
  if (tower.topicSet.size + fresh > max) {
    throw new FiretowerServerError(
      'too_many_topics',
      `subscribing ${tower.clientId} to ${fresh} more topics would pass limits.maxTopicsPerConnection (${max})`,
    );
  }
  const added = host.hub.subscribe(tower, list);
  const onSubscribe = host.options.hooks.onSubscribe;
  if (added.length > 0 && onSubscribe) tower.enqueue(() => host.callHook('onSubscribe', tower, () => onSubscribe(tower, added)));
}

/** Server-side removal (unsubscribe, unsubscribeUser, removeTopic): onUnsubscribe('server'), then onSystemRemove per topic. */
export function removeByServer<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, topics: readonly string[]): void {
  const removed = host.hub.unsubscribe(tower, topics);
  if (removed.length === 0) return;
  const { onUnsubscribe, onSystemRemove } = host.options.hooks;
  tower.enqueue(() => {
    const first = onUnsubscribe ? host.callHook('onUnsubscribe', tower, () => onUnsubscribe(tower, removed, 'server')) : undefined;
    if (!onSystemRemove) return first;
    return removed.reduce<void | PromiseLike<void>>(
      (previous, topic) => andThen(previous, () => host.callHook('onSystemRemove', tower, () => onSystemRemove(tower, topic))),
      first,
    );
  });
}
