import { describe, expectTypeOf, test } from 'vitest';
import {
  Firetower,
  type ConnectParams,
  type FiretowerError,
  type FiretowerOptions,
  type PresenceList,
  type PresenceMember,
  type PublishResult,
  type RecoveryFailure,
  type StateChange,
  type SubscribedEvent,
  type Subscription,
  type TopicMessage,
} from '@firetower/client';

interface ChatMessage {
  from: string;
  text: string;
}
// Patterns are template-literal index signatures; exact topics are plain keys.
type Topics = {
  [topic: `/chat/${string}`]: ChatMessage;
  [topic: `/count/${string}`]: number;
  '/status': 'up' | 'down';
};

// Never connects: the type tests only compile.
const typed = new Firetower<Topics>('ws://127.0.0.1:1/ws', { autoConnect: false });
const untyped = new Firetower('ws://127.0.0.1:1/ws', { autoConnect: false });

describe('typed topics', () => {
  test('subscribe infers the payload from the topic pattern', () => {
    typed.subscribe('/chat/world', (message, envelope) => {
      expectTypeOf(message).toEqualTypeOf<ChatMessage>();
      expectTypeOf(envelope).toEqualTypeOf<TopicMessage<ChatMessage>>();
    });
    typed.subscribe('/count/online', (n) => expectTypeOf(n).toEqualTypeOf<number>());
    typed.subscribe('/status', (s) => expectTypeOf(s).toEqualTypeOf<'up' | 'down'>());
    expectTypeOf(typed.subscribe('/chat/a')).toEqualTypeOf<Subscription<ChatMessage>>();
  });

  test('several topics give the union of their payloads', () => {
    typed.subscribe(['/chat/a', '/count/b'], (m) => expectTypeOf(m).toEqualTypeOf<ChatMessage | number>());
  });

  test('topics outside the map and wrong payloads do not compile', () => {
    // @ts-expect-error not a topic of the map
    typed.subscribe('/news/today', () => {});
    // @ts-expect-error a handler that expects the wrong payload
    typed.subscribe('/chat/world', (m: string) => m);
    // @ts-expect-error wrong payload for the topic
    void typed.publish('/chat/world', { from: 'ann' });
    // @ts-expect-error a number topic takes numbers
    void typed.publish('/count/online', 'seven');
    // @ts-expect-error not a topic of the map
    void typed.publish('/news/today', 1);
    void typed.publish('/chat/world', { from: 'ann', text: 'hi' });
    void typed.publish('/count/online', 7, { excludeSelf: true });
  });

  test('publish resolves with the ack', () => {
    expectTypeOf(typed.publish('/count/x', 1)).toEqualTypeOf<Promise<PublishResult>>();
  });
});

describe('untyped client', () => {
  test('payloads are unknown', () => {
    untyped.subscribe('/anything', (m) => expectTypeOf(m).toEqualTypeOf<unknown>());
    void untyped.publish('/anything', { whatever: true });
  });

  test('a per-call type argument types the handler and the data', () => {
    untyped.subscribe<ChatMessage>('/chat/world', (m) => expectTypeOf(m).toEqualTypeOf<ChatMessage>());
    void untyped.publish<ChatMessage>('/chat/world', { from: 'ann', text: 'hi' });
    // @ts-expect-error the per-call type is checked
    void untyped.publish<ChatMessage>('/chat/world', { from: 'ann' });
  });
});

describe('events', () => {
  test('listeners get one typed context object', () => {
    typed.on('state', (change) => expectTypeOf(change).toEqualTypeOf<StateChange>());
    typed.on('close', ({ code, reason, willReconnect }) => {
      expectTypeOf(code).toEqualTypeOf<number>();
      expectTypeOf(reason).toEqualTypeOf<string>();
      expectTypeOf(willReconnect).toEqualTypeOf<boolean>();
    });
    typed.on('reconnecting', ({ attempt, delayMs }) => expectTypeOf(attempt + delayMs).toEqualTypeOf<number>());
    typed.on('error', (error) => expectTypeOf(error.code).toEqualTypeOf<FiretowerError['code']>());
    typed.on('message', (m) => expectTypeOf(m).toEqualTypeOf<TopicMessage>());
    // @ts-expect-error no such event
    typed.on('opened', () => {});
    // @ts-expect-error close listeners get an object, not (code, reason)
    typed.on('close', (code: number, reason: string) => code + reason);
  });

  test('the error code is a closed union', () => {
    expectTypeOf<FiretowerError['code']>().toEqualTypeOf<
      'refused' | 'invalid' | 'too_large' | 'timeout' | 'closed' | 'queue_full' | 'rate_limited' | 'internal' | 'callback'
    >();
  });

  test('state is a union of names', () => {
    expectTypeOf(typed.state).toEqualTypeOf<'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'>();
  });
});

describe('history', () => {
  test('messages carry an optional stream position', () => {
    typed.subscribe('/chat/a', (_m, { offset, epoch }) => {
      expectTypeOf(offset).toEqualTypeOf<number | undefined>();
      expectTypeOf(epoch).toEqualTypeOf<string | undefined>();
    });
  });

  test('subscribed is typed on the client and on a handle', () => {
    typed.on('subscribed', (event) => expectTypeOf(event).toEqualTypeOf<SubscribedEvent>());
    typed.subscribe('/status').on('subscribed', ({ topic, recovered, wasRecovering, reason }) => {
      expectTypeOf(topic).toEqualTypeOf<string>();
      expectTypeOf(recovered && wasRecovering).toEqualTypeOf<boolean>();
      // The known reasons complete; a newer server's string still type-checks.
      expectTypeOf<RecoveryFailure>().toExtend<NonNullable<typeof reason>>();
      expectTypeOf(reason).toExtend<string | undefined>();
    });
  });

  test("since is 'last' or { limit }", () => {
    typed.subscribe('/status', undefined, { since: 'last' });
    typed.subscribe('/chat/a', () => {}, { since: { limit: 20 } });
    // @ts-expect-error only 'last' as a string
    typed.subscribe('/status', undefined, { since: 'first' });
    // @ts-expect-error a recovery position is the client's business, not the app's
    typed.subscribe('/status', undefined, { since: { offset: 3, epoch: 'e' } });
  });
});

describe('credentials, presence and direct messages', () => {
  test('params is an object or a (sync or async) provider of string values', () => {
    const getToken = (): Promise<string> => Promise.resolve('t');
    new Firetower('/ws', { autoConnect: false, params: { token: 't' } });
    new Firetower('/ws', { autoConnect: false, params: () => ({ token: 't' }) });
    new Firetower('/ws', { autoConnect: false, params: async () => ({ token: await getToken() }) });
    expectTypeOf<NonNullable<FiretowerOptions['params']>>().toEqualTypeOf<ConnectParams | (() => ConnectParams | PromiseLike<ConnectParams>)>();
    // @ts-expect-error query values are strings
    new Firetower('/ws', { autoConnect: false, params: { page: 2 } });
  });

  test('presence: the option, typed join/leave with the topic, presence() resolving a list', () => {
    const room = typed.subscribe('/chat/a', undefined, { presence: true });
    room.on('join', (member, topic) => {
      expectTypeOf(member).toEqualTypeOf<PresenceMember>();
      expectTypeOf(member.id).toEqualTypeOf<string>();
      expectTypeOf(member.info).toEqualTypeOf<unknown>();
      expectTypeOf(topic).toEqualTypeOf<string>();
    });
    room.on('leave', (member) => expectTypeOf(member).toEqualTypeOf<PresenceMember>());
    expectTypeOf(room.presence()).toEqualTypeOf<Promise<PresenceList>>();
    expectTypeOf(room.presence('/chat/a')).toEqualTypeOf<Promise<PresenceList>>();
    expectTypeOf<PresenceList['members'][number]['connections']>().toEqualTypeOf<number | undefined>();
    // @ts-expect-error presence is a boolean
    typed.subscribe('/status', undefined, { presence: 'yes' });
  });

  test('direct messages arrive on the client-level message event', () => {
    untyped.on('message', (message) => {
      expectTypeOf(message).toEqualTypeOf<TopicMessage>();
      expectTypeOf(message.data).toEqualTypeOf<unknown>();
    });
  });
});
