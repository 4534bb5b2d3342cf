/**
 * The messages of firetower.proto as the handlers see them: the `__Output` types that
 * `proto-loader-gen-types` generates (src/generated, from proto/firetower.proto) for the loader
 * options in proto.ts (camelCase, 64-bit integers as numbers, enums as names, defaults filled in,
 * `data` naming the oneof case). Regenerate with `pnpm -C packages/grpc gen:types` after editing the
 * .proto; test/generated-types.test.ts fails while they are stale.
 */
import type { PublishRequest__Output } from './generated/firetower/v1/PublishRequest.js';
import type { PublishReply__Output } from './generated/firetower/v1/PublishReply.js';
import type { PublishBatchRequest__Output } from './generated/firetower/v1/PublishBatchRequest.js';
import type { PublishError__Output } from './generated/firetower/v1/PublishError.js';
import type { PublishSummary__Output } from './generated/firetower/v1/PublishSummary.js';
import type { KickUserRequest__Output } from './generated/firetower/v1/KickUserRequest.js';
import type { UnsubscribeUserRequest__Output } from './generated/firetower/v1/UnsubscribeUserRequest.js';
import type { GetTopicRequest__Output } from './generated/firetower/v1/GetTopicRequest.js';
import type { Topic__Output } from './generated/firetower/v1/Topic.js';
import type { ListTopicsRequest__Output } from './generated/firetower/v1/ListTopicsRequest.js';
import type { ListTopicsReply__Output } from './generated/firetower/v1/ListTopicsReply.js';
import type { StatsReply__Output } from './generated/firetower/v1/StatsReply.js';
import type { HistoryRequest__Output } from './generated/firetower/v1/HistoryRequest.js';
import type { HistoryReply__Output } from './generated/firetower/v1/HistoryReply.js';
import type { HistoryPublication__Output } from './generated/firetower/v1/HistoryPublication.js';
import type { GetPresenceRequest__Output } from './generated/firetower/v1/GetPresenceRequest.js';
import type { GetPresenceReply__Output } from './generated/firetower/v1/GetPresenceReply.js';
import type { PresenceMember__Output } from './generated/firetower/v1/PresenceMember.js';
import type { SendToUserRequest__Output } from './generated/firetower/v1/SendToUserRequest.js';
import type { SendToRequest__Output } from './generated/firetower/v1/SendToRequest.js';
import type { SendReply__Output } from './generated/firetower/v1/SendReply.js';

export type PublishRequest = PublishRequest__Output;
export type PublishDataCase = NonNullable<PublishRequest['data']>;
export type PublishReply = PublishReply__Output;
export type PublishBatchRequest = PublishBatchRequest__Output;
export type PublishError = PublishError__Output;
/** `firstError` is unset (null) when every message was accepted. */
export type PublishSummary = Omit<PublishSummary__Output, 'firstError'> & { firstError?: PublishError | null };
export type KickUserRequest = KickUserRequest__Output;
export type UnsubscribeUserRequest = UnsubscribeUserRequest__Output;
export type TopicRequest = GetTopicRequest__Output;
export type TopicReply = Topic__Output;
export type ListTopicsRequest = ListTopicsRequest__Output;
export type ListTopicsReply = ListTopicsReply__Output;
export type StatsReply = StatsReply__Output;
export type HistoryRequest = HistoryRequest__Output;
export type HistoryReply = HistoryReply__Output;
export type HistoryPublication = HistoryPublication__Output;
export type GetPresenceRequest = GetPresenceRequest__Output;
export type GetPresenceReply = GetPresenceReply__Output;
export type PresenceMember = PresenceMember__Output;
export type SendToUserRequest = SendToUserRequest__Output;
export type SendToRequest = SendToRequest__Output;
export type SendReply = SendReply__Output;
export type Empty = Record<string, never>;
