import {
  checkTopic,
  encodeAck,
  ErrorCode,
  type DecodeResult,
  type PublishFrame,
  type RefusedTopic,
  type SubscribeFrame,
  type UnsubscribeFrame,
} from '@firetower/protocol';
import { FiretowerError, FiretowerRefusal } from './errors.js';
import type { TowerHost } from './host.js';
import { andThen, settle } from './settle.js';
import type { TowerImpl } from './tower.js';
import type { FiretowerHooks, IncomingPublish, SubscribeDecision } from './types.js';

/**
 * What a client frame may do: subscribe, unsubscribe, publish. Nothing else is reachable from the
 * wire (kick, remove-topic and the other server operations have no frame type).
 */
export function handleFrame<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, decoded: DecodeResult): void | PromiseLike<void> {
  if (tower.state !== 'open') return;
  if (!decoded.ok) {
    const { error } = decoded;
    host.stats.refusal('limits', `${error.code}: ${error.message}`, { clientId: tower.clientId, ...(error.topic !== undefined && { topic: error.topic }) });
    tower.fail(error);
    return;
  }
  const { frame } = decoded;
  switch (frame.type) {
    case 'subscribe':
      return subscribe(host, tower, frame);
    case 'unsubscribe':
      return unsubscribe(host, tower, frame);
    case 'publish':
      return publish(host, tower, frame);
  }
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Reads beforeSubscribe's answer into allowed and refused topics. */
export function interpretDecision(topics: readonly string[], decision: SubscribeDecision): { allowed: string[]; refused: RefusedTopic[] } {
  if (decision === undefined || decision === null || decision === true) return { allowed: [...topics], refused: [] };
  if (decision === false) return { allowed: [], refused: topics.map((topic) => ({ topic, code: ErrorCode.Refused, reason: 'refused' })) };
  const allowed: string[] = [];
  const refused: RefusedTopic[] = [];
  if ('refuse' in decision && typeof decision.refuse === 'object' && decision.refuse !== null) {
    const refuse = decision.refuse;
    for (const topic of topics) {
      if (hasOwn(refuse, topic)) refused.push({ topic, code: ErrorCode.Refused, reason: String(refuse[topic]) });
      else allowed.push(topic);
    }
  } else if ('allow' in decision && Array.isArray(decision.allow)) {
    const allow = new Set(decision.allow);
    for (const topic of topics) {
      if (allow.has(topic)) allowed.push(topic);
      else refused.push({ topic, code: ErrorCode.Refused, reason: 'not allowed' });
    }
  } else {
    allowed.push(...topics);
  }
  return { allowed, refused };
}

function subscribe<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: SubscribeFrame): void | PromiseLike<void> {
  const max = host.options.limits.maxTopicsPerConnection;
  let fresh = 0;
  for (const topic of frame.topics) if (!tower.topicSet.has(topic)) fresh++;
  if (tower.topicSet.size + fresh > max) {
    host.stats.refusal('limits', `more than ${max} topics on one connection`, { clientId: tower.clientId });
    tower.fail({ type: 'error', code: ErrorCode.TooManyTopics, message: `at most ${max} topics per connection`, ...(frame.id !== undefined && { id: frame.id }) });
    return;
  }
  const beforeSubscribe = host.options.hooks.beforeSubscribe;
  if (!beforeSubscribe) return applySubscribe(host, tower, frame, frame.topics, []);
  return settle(
    () => beforeSubscribe(tower, [...frame.topics]),
    (decision) => {
      if (tower.state !== 'open') return;
      const { allowed, refused } = interpretDecision(frame.topics, decision);
      return applySubscribe(host, tower, frame, allowed, refused);
    },
    (error) => {
      if (tower.state !== 'open') return;
      if (error instanceof FiretowerRefusal) {
        const refused = frame.topics.map((topic) => ({ topic, code: ErrorCode.Refused, reason: error.message }));
        return applySubscribe(host, tower, frame, [], refused);
      }
      host.reportError(new FiretowerError('hook_failed', 'beforeSubscribe threw', { cause: error }), tower);
      tower.fail({ type: 'error', code: ErrorCode.Internal, message: 'subscribe failed', ...(frame.id !== undefined && { id: frame.id }) });
    },
  );
}

function applySubscribe<AppData>(
  host: TowerHost<AppData>,
  tower: TowerImpl<AppData>,
  frame: SubscribeFrame,
  allowed: readonly string[],
  refused: RefusedTopic[],
): void | PromiseLike<void> {
  if (refused.length > 0) {
    const names = refused.map((r) => r.topic).join(', ');
    host.stats.refusal('beforeSubscribe', `refused ${names.slice(0, 200)}`, { clientId: tower.clientId, topic: refused[0]!.topic }, refused.length);
  }
  const added = host.hub.subscribe(tower, allowed);
  const answer = (): void => {
    if (frame.id !== undefined) tower.reply(encodeAck(frame.id, { topics: [...allowed], refused }));
    else for (const r of refused) tower.fail({ type: 'error', code: r.code, message: r.reason, topic: r.topic });
  };
  const onSubscribe = host.options.hooks.onSubscribe;
  if (added.length > 0 && onSubscribe) return andThen(host.callHook('onSubscribe', tower, () => onSubscribe(tower, added)), answer);
  answer();
}

function unsubscribe<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: UnsubscribeFrame): void | PromiseLike<void> {
  const removed = host.hub.unsubscribe(tower, frame.topics);
  const answer = (): void => {
    if (frame.id !== undefined) tower.reply(encodeAck(frame.id, { topics: frame.topics }));
  };
  const onUnsubscribe = host.options.hooks.onUnsubscribe;
  if (removed.length > 0 && onUnsubscribe) return andThen(host.callHook('onUnsubscribe', tower, () => onUnsubscribe(tower, removed, 'client')), answer);
  answer();
}

function publish<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: PublishFrame): void | PromiseLike<void> {
  const { id } = frame;
  const key = id !== undefined ? `${tower.dedupeId}:${id}` : undefined;
  const excludeSelf = frame.excludeSelf === true;
  const withId = id !== undefined ? { id } : {};

  const ackDuplicate = (): void => {
    host.stats.drop('duplicate', 1, `duplicate publish ${id}`, { clientId: tower.clientId, topic: frame.topic });
    if (id !== undefined) tower.reply(encodeAck(id, { duplicate: true }));
  };
  const failPublish = (error: unknown, topic: string): void => {
    const message = error instanceof Error ? error.message : 'publish failed';
    tower.fail({ type: 'error', code: ErrorCode.Internal, message, topic, ...withId });
  };
  const send = (topic: string, data: unknown): void => {
    let json: string;
    try {
      json = host.serialise(data);
    } catch (error) {
      host.reportError(error, tower);
      return failPublish(error, topic);
    }
    const outcome = host.publishJson(topic, json, excludeSelf ? tower.clientId : undefined, key);
    if (outcome === 'duplicate') return ackDuplicate();
    if (id !== undefined) outcome.then(() => void tower.reply(encodeAck(id)), (error: unknown) => failPublish(error, topic));
    else outcome.then(undefined, (error: unknown) => failPublish(error, topic));
  };

  /** The onMessage hook, then `send`. */
  const handle = (): void | PromiseLike<void> => {
    const onMessage = host.options.hooks.onMessage;
    if (!onMessage) return send(frame.topic, frame.data);
    return applyMessageHook(onMessage);
  };

  if (key !== undefined && host.dedupe.has(key)) return ackDuplicate();
  // A re-send may repeat a publish another node already handled (the client reconnected there
  // before its ack came): ask the cluster. A first send only records its key, with the publish.
  const claim = frame.retry === true && key !== undefined ? host.claimKey(key) : undefined;
  if (claim === undefined) return handle();
  return claim.then((fresh) => {
    if (tower.state !== 'open') return;
    if (fresh) return handle();
    host.dedupe.remember(key!);
    ackDuplicate();
  });

  function applyMessageHook(onMessage: NonNullable<FiretowerHooks<AppData>['onMessage']>): void | PromiseLike<void> {
    const incoming: IncomingPublish = { topic: frame.topic, data: frame.data, id, excludeSelf };
    return settle(
      () => onMessage(tower, incoming),
      (decision): void => {
        if (decision === false) {
          if (key !== undefined) host.dedupe.remember(key);
          host.stats.drop('handler', 1, 'message handler dropped a publish', { clientId: tower.clientId, topic: frame.topic });
          if (id !== undefined) tower.reply(encodeAck(id));
          return;
        }
        if (typeof decision !== 'object' || decision === null) return send(frame.topic, frame.data);
        const topic = hasOwn(decision, 'topic') ? decision.topic : frame.topic;
        const check = checkTopic(topic, host.options.limits.maxTopicLength);
        if (!check.ok) {
          host.reportError(new FiretowerError('invalid_topic', `onMessage returned an invalid topic: ${check.reason}`), tower);
          return failPublish(new Error('publish failed'), frame.topic);
        }
        send(topic as string, hasOwn(decision, 'data') ? decision.data : frame.data);
      },
      (error): void => {
        if (error instanceof FiretowerRefusal) {
          host.stats.refusal('message', error.message, { clientId: tower.clientId, topic: frame.topic });
          tower.fail({ type: 'error', code: ErrorCode.Refused, message: error.message, topic: frame.topic, ...withId });
          return;
        }
        host.reportError(new FiretowerError('hook_failed', 'onMessage threw', { cause: error }), tower);
        tower.fail({ type: 'error', code: ErrorCode.Internal, message: 'message handler failed', topic: frame.topic, ...withId });
      },
    );
  }
}
