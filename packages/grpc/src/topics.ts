/** KickUser, UnsubscribeUser, RemoveTopic, GetTopic, ListTopics and Stats. */
import type { handleUnaryCall } from '@grpc/grpc-js';
import type { TopicCount } from '@firetower/server';
import { unary, type CallContext } from './context.js';
import { InvalidArgumentError } from './errors.js';
import type { Empty, KickUserRequest, ListTopicsReply, ListTopicsRequest, StatsReply, TopicReply, TopicRequest, UnsubscribeUserRequest } from './messages.js';
import { validTopic, validUserId } from './validate.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export function kickUserHandler(context: CallContext): handleUnaryCall<KickUserRequest, Empty> {
  return unary(context, async (request) => {
    const userId = validUserId(request.userId);
    await context.ft.kickUser(userId, request.reason.length > 0 ? request.reason : undefined);
    return {};
  });
}

export function unsubscribeUserHandler(context: CallContext): handleUnaryCall<UnsubscribeUserRequest, Empty> {
  return unary(context, async (request) => {
    const userId = validUserId(request.userId);
    await context.ft.unsubscribeUser(userId, validTopic(request.topic, context.options));
    return {};
  });
}

export function removeTopicHandler(context: CallContext): handleUnaryCall<TopicRequest, Empty> {
  return unary(context, async (request) => {
    await context.ft.removeTopic(validTopic(request.topic, context.options));
    return {};
  });
}

export function getTopicHandler(context: CallContext): handleUnaryCall<TopicRequest, TopicReply> {
  return unary(context, async (request) => {
    const topic = validTopic(request.topic, context.options);
    const [count, exists] = await Promise.all([context.ft.count(topic), context.ft.exists(topic)]);
    return { topic, count, exists };
  });
}

// The token is an opaque offset: a listing is recomputed per page, so a cursor on (count,
// topic) would not be more stable than an offset while counts move.
function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
}

function decodePageToken(token: string): number {
  if (token.length === 0) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError('invalid_page_token', 'page_token is not one this server issued');
}

function byCountThenName(a: TopicCount, b: TopicCount): number {
  return b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);
}

export function listTopicsHandler(context: CallContext): handleUnaryCall<ListTopicsRequest, ListTopicsReply> {
  return unary(context, async (request) => {
    if (request.pageSize > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError('invalid_field', `page_size is more than ${MAX_PAGE_SIZE}`);
    }
    const pageSize = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize;
    const offset = decodePageToken(request.pageToken);
    const all = (await context.ft.topics()).filter((entry) => entry.count > 0 && entry.topic.startsWith(request.prefix)).sort(byCountThenName);
    const page = all.slice(offset, offset + pageSize);
    const end = offset + page.length;
    return {
      topics: page.map(({ topic, count }) => ({ topic, count, exists: true })),
      nextPageToken: end < all.length ? encodePageToken(end) : '',
      totalSize: all.length,
    };
  });
}

export function statsHandler(context: CallContext): handleUnaryCall<Empty, StatsReply> {
  return unary(context, async () => {
    const stats = context.ft.stats();
    const broker = await context.ft.broker.status();
    return {
      nodeId: context.ft.nodeId,
      connections: stats.connections,
      topics: stats.topics,
      subscriptions: stats.subscriptions,
      messagesInTotal: stats.messagesInTotal,
      messagesOutTotal: stats.messagesOutTotal,
      bytesOutTotal: stats.bytesOutTotal,
      publishesTotal: stats.publishesTotal,
      dropsTotal: { ...stats.dropsTotal },
      refusalsTotal: { ...stats.refusalsTotal },
      errorsTotal: stats.errorsTotal,
      broker: {
        kind: broker.kind,
        connected: broker.connected,
        pendingPublishes: broker.pendingPublishes,
        droppedPublishes: broker.droppedPublishes,
      },
    };
  });
}
