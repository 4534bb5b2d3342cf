import {
  checkTopic,
  encodeAck,
  encodeError,
  ErrorCode,
  type ErrorFrame,
  type DecodeResult,
  type PublishFrame,
  type PresenceQueryFrame,
  type RefreshFrame,
  type RefusedTopic,
  type StreamState,
  type SubscribeFrame,
  type UnsubscribeFrame,
} from '@firetower/protocol';
import { planStreams, sendReplays, streamRequests, streamStates } from '../history/subscribe-streams.js';
import { FiretowerServerError, FiretowerRefusal } from '../errors.js';
import type { TowerHost } from './host.js';
import { andThen, settle } from './settle.js';
import type { TowerImpl } from './tower.js';
import type { IncomingPublish, MessageDecision, SubscribeDecision } from '../types.js';

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
    case 'refresh':
      return refresh(host, tower, frame);
    case 'presence':
      return presenceQuery(host, tower, frame);
  }
}

/** Who is on a topic the connection holds (a topic with presence). */
function presenceQuery<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: PresenceQueryFrame): void | PromiseLike<void> {
  const answer = tower.deferReply();
  const fail = (code: ErrorCode, message: string): void =>
    answer(encodeError({ type: 'error', code, message, topic: frame.topic, ...(frame.id !== undefined && { id: frame.id }) }));
  if (host.presence === undefined || host.options.presence?.(frame.topic) === undefined) return fail(ErrorCode.NoPresence, `${frame.topic} has no presence`);
  // Who is in a room is for those allowed in it: only a subscriber may ask.
  if (!tower.topicSet.has(frame.topic)) return fail(ErrorCode.Refused, `subscribe to ${frame.topic} before asking who is there`);
  host.presence.list(frame.topic).then(
    (presence) => answer(frame.id !== undefined ? encodeAck(frame.id, { presence }) : null),
    (error: unknown) => {
      host.reportError(error, tower);
      fail(ErrorCode.Internal, 'presence is not available');
    },
  );
}

/** New credentials before the old ones expire: the `refresh` hook renews the expiry or refuses. */
function refresh<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: RefreshFrame): void | PromiseLike<void> {
  const withId = frame.id !== undefined ? { id: frame.id } : {};
  const hook = host.options.hooks.refresh;
  if (!hook) {
    tower.fail({ type: 'error', code: ErrorCode.Refused, message: 'this server does not take refresh frames', ...withId });
    return;
  }
  const refuse = (message: string): void => {
    host.stats.refusal('authenticate', `refresh refused: ${message}`, { clientId: tower.clientId });
    tower.fail({ type: 'error', code: ErrorCode.Refused, message, ...withId });
  };
  return settle(
    () => hook(tower, { ...frame.credentials }),
    (result) => {
      if (tower.state !== 'open') return;
      if (result === false) return refuse('credentials refused');
      const renewed = typeof result === 'object' && result !== null ? result : {};
      if (hasOwn(renewed, 'data')) tower.data = renewed.data as AppData;
      const expiresInMs = tower.renewExpiry(renewed.expiresAt);
      if (frame.id !== undefined) tower.reply(encodeAck(frame.id, expiresInMs === undefined ? {} : { expiresInMs }));
    },
    (error) => {
      if (tower.state !== 'open') return;
      if (error instanceof FiretowerRefusal) return refuse(error.message);
      host.reportError(new FiretowerServerError('hook_failed', 'refresh threw', { cause: error }), tower);
      tower.fail({ type: 'error', code: ErrorCode.Internal, message: 'refresh failed', ...withId });
    },
  );
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
      if (hasOwn(refuse, topic)) refused.push({ topic, code: ErrorCode.Refused, reason: reasonText(refuse[topic]) });
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
    tower.fail({
      type: 'error',
      code: ErrorCode.TooManyTopics,
      message: `at most ${max} topics per connection`,
      ...(frame.id !== undefined && { id: frame.id }),
    });
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
      host.reportError(new FiretowerServerError('hook_failed', 'beforeSubscribe threw', { cause: error }), tower);
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
  if (frame.presence === true) host.presence?.wantEvents(tower, allowed);
  const requests = streamRequests(host.options.history, allowed, added, frame.since, frame.id !== undefined);
  // Topics with history: live deliveries are held from here until the replay is written.
  if (requests.length > 0) tower.hold(requests.map((request) => request.topic));
  const plans = requests.length > 0 ? planStreams(host.broker, requests, (error) => host.reportError(error, tower)) : undefined;
  const answer = (): void | PromiseLike<void> => {
    if (plans === undefined) return replySubscribed(frame, allowed, refused, undefined, (text) => tower.reply(text));
    return plans.then((planned) => {
      if (tower.state !== 'open') return;
      // Written in the reply's place, directly: the ack, the replay, the held deliveries.
      tower.replyWith(() => {
        replySubscribed(frame, allowed, refused, streamStates(requests, planned), (text) => tower.writeText(text));
        sendReplays(tower, requests, planned);
      });
    });
  };
  const onSubscribe = host.options.hooks.onSubscribe;
  if (added.length > 0 && onSubscribe)
    return andThen(
      host.callHook('onSubscribe', tower, () => onSubscribe(tower, added)),
      answer,
    );
  return answer();
}

/** The subscribe's ack (with `streams` for topics with history), or without an id an error per refused topic. */
function replySubscribed(
  frame: SubscribeFrame,
  allowed: readonly string[],
  refused: RefusedTopic[],
  streams: Record<string, StreamState> | undefined,
  send: (text: string) => unknown,
): void {
  if (frame.id !== undefined) send(encodeAck(frame.id, streams === undefined ? { topics: [...allowed], refused } : { topics: [...allowed], refused, streams }));
  else for (const r of refused) send(encodeError({ type: 'error', code: r.code, message: r.reason, topic: r.topic }));
}

function unsubscribe<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: UnsubscribeFrame): void | PromiseLike<void> {
  const removed = host.hub.unsubscribe(tower, frame.topics);
  const answer = (): void => {
    if (frame.id !== undefined) tower.reply(encodeAck(frame.id, { topics: frame.topics }));
  };
  const onUnsubscribe = host.options.hooks.onUnsubscribe;
  if (removed.length > 0 && onUnsubscribe)
    return andThen(
      host.callHook('onUnsubscribe', tower, () => onUnsubscribe(tower, removed, 'client')),
      answer,
    );
  answer();
}

function publish<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, frame: PublishFrame): void | PromiseLike<void> {
  return new ClientPublish(host, tower, frame).run();
}

/** One client publish, step by step: dedupe, a cluster claim for a re-send, the onMessage hook, send. */
class ClientPublish<AppData> {
  /** The idempotency key: the client's own id and the frame id. */
  private readonly key: string | undefined;

  constructor(
    private readonly host: TowerHost<AppData>,
    private readonly tower: TowerImpl<AppData>,
    private readonly frame: PublishFrame,
  ) {
    this.key = frame.id !== undefined ? `${tower.dedupeId}:${frame.id}` : undefined;
  }

  /** Client publishes are opt-in: the `canPublish` hook decides, else the `publish` option. */
  run(): void | PromiseLike<void> {
    const canPublish = this.host.options.hooks.canPublish;
    if (canPublish === undefined) {
      if (this.host.options.publish === 'allow') return this.admitted();
      return this.notAllowed("client publishes are off on this server (it sets neither publish: 'allow' nor a canPublish hook)");
    }
    const { tower, frame } = this;
    return settle(
      () => canPublish(tower, frame.topic),
      (allowed) => {
        if (tower.state !== 'open') return;
        return allowed === true ? this.admitted() : this.notAllowed(`publishing to ${frame.topic} is not allowed`);
      },
      (error) => {
        if (tower.state !== 'open') return;
        if (error instanceof FiretowerRefusal) return this.notAllowed(error.message);
        this.host.reportError(new FiretowerServerError('hook_failed', 'canPublish threw', { cause: error }), tower);
        this.fail(ErrorCode.Internal, 'publish check failed');
      },
    );
  }

  private notAllowed(message: string): void {
    this.host.stats.refusal('message', message, { clientId: this.tower.clientId, topic: this.frame.topic });
    this.fail(ErrorCode.PublishNotAllowed, message);
  }

  /** Allowed: dedupe, a cluster claim for a re-send, the onMessage hook, send. */
  private admitted(): void | PromiseLike<void> {
    const { host, key } = this;
    if (key !== undefined && host.dedupe.has(key)) return this.ackDuplicate();
    // A re-send may repeat a publish another node already handled (the client reconnected there
    // before its ack came): ask the cluster. A first send only records its key, with the publish.
    const claim = this.frame.retry === true && key !== undefined ? host.claimKey(key) : undefined;
    if (claim === undefined) return this.handle();
    return claim.then((fresh) => {
      if (this.tower.state !== 'open') return;
      if (fresh) return this.handle();
      host.dedupe.remember(key!);
      this.ackDuplicate();
    });
  }

  /** The onMessage hook if there is one, then send. */
  private handle(): void | PromiseLike<void> {
    const onMessage = this.host.options.hooks.onMessage;
    if (!onMessage) return this.send(this.frame.topic, this.frame.data, 'client');
    const { host, tower, frame } = this;
    const incoming: IncomingPublish = { topic: frame.topic, data: frame.data, id: frame.id, excludeSelf: frame.excludeSelf === true };
    return settle(
      () => onMessage(tower, incoming),
      (decision) => this.applyDecision(decision),
      (error): void => {
        if (error instanceof FiretowerRefusal) {
          host.stats.refusal('message', error.message, { clientId: tower.clientId, topic: frame.topic });
          return this.fail(ErrorCode.Refused, error.message);
        }
        host.reportError(new FiretowerServerError('hook_failed', 'onMessage threw', { cause: error }), tower);
        this.fail(ErrorCode.Internal, 'message handler failed');
      },
    );
  }

  private applyDecision(decision: MessageDecision): void {
    const { host, tower, frame } = this;
    if (decision === false) {
      if (this.key !== undefined) host.dedupe.remember(this.key);
      host.stats.drop('handler', 1, 'message handler dropped a publish', { clientId: tower.clientId, topic: frame.topic });
      if (frame.id !== undefined) tower.reply(encodeAck(frame.id));
      return;
    }
    if (typeof decision !== 'object' || decision === null) return this.send(frame.topic, frame.data, 'client');
    const topic = hasOwn(decision, 'topic') ? decision.topic : frame.topic;
    const check = checkTopic(topic, host.options.limits.maxTopicLength);
    if (!check.ok) {
      host.reportError(new FiretowerServerError('invalid_topic', `onMessage returned an invalid topic: ${check.reason}`), tower);
      return this.fail(ErrorCode.Internal, 'publish failed');
    }
    this.send(topic as string, hasOwn(decision, 'data') ? decision.data : frame.data, hasOwn(decision, 'data') ? 'hook' : 'client');
  }

  /**
   * Serialise once and hand to the broker. Data the client sent that cannot be serialised again is
   * the client's error (`invalid_field`); data the hook made is the app's (`internal`, reported).
   */
  private send(topic: string, data: unknown, dataFrom: 'client' | 'hook'): void {
    const { host, tower, frame, key } = this;
    let json: string;
    try {
      json = host.serialise(data);
    } catch (error) {
      if (dataFrom === 'hook') {
        host.reportError(error, tower);
        return this.fail(ErrorCode.Internal, 'message handler returned data that is not serialisable as JSON', topic);
      }
      host.stats.refusal('limits', 'publish data is not serialisable', { clientId: tower.clientId, topic });
      return this.fail(ErrorCode.InvalidField, 'data cannot be serialised as JSON', topic);
    }
    const outcome = host.publishJson(topic, json, frame.excludeSelf === true ? tower.clientId : undefined, key);
    if (outcome === 'duplicate') return this.ackDuplicate();
    // The ack waits for the broker; replies to this connection's later frames wait behind it.
    const answer = tower.deferReply();
    const id = frame.id;
    outcome.then(
      () => answer(id !== undefined ? encodeAck(id) : null),
      (error: unknown) => answer(encodeError(this.errorFrame(ErrorCode.Internal, error instanceof Error ? error.message : 'publish failed', topic))),
    );
  }

  private ackDuplicate(): void {
    const { host, tower, frame } = this;
    host.stats.drop('duplicate', 1, `duplicate publish ${frame.id}`, { clientId: tower.clientId, topic: frame.topic });
    if (frame.id !== undefined) tower.reply(encodeAck(frame.id, { duplicate: true }));
  }

  private fail(code: ErrorCode, message: string, topic: string = this.frame.topic): void {
    this.tower.fail(this.errorFrame(code, message, topic));
  }

  private errorFrame(code: ErrorCode, message: string, topic: string): ErrorFrame {
    const error: ErrorFrame = { type: 'error', code, message, topic };
    if (this.frame.id !== undefined) error.id = this.frame.id;
    return error;
  }
}

/** A refusal reason from the app: a string as given, anything else a generic word (never stringified). */
function reasonText(reason: unknown): string {
  return typeof reason === 'string' ? reason : 'refused';
}
