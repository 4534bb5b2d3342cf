// Original file: proto/firetower.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetPresenceReply as _firetower_v1_GetPresenceReply, GetPresenceReply__Output as _firetower_v1_GetPresenceReply__Output } from '../../firetower/v1/GetPresenceReply';
import type { GetPresenceRequest as _firetower_v1_GetPresenceRequest, GetPresenceRequest__Output as _firetower_v1_GetPresenceRequest__Output } from '../../firetower/v1/GetPresenceRequest';
import type { GetTopicRequest as _firetower_v1_GetTopicRequest, GetTopicRequest__Output as _firetower_v1_GetTopicRequest__Output } from '../../firetower/v1/GetTopicRequest';
import type { HistoryReply as _firetower_v1_HistoryReply, HistoryReply__Output as _firetower_v1_HistoryReply__Output } from '../../firetower/v1/HistoryReply';
import type { HistoryRequest as _firetower_v1_HistoryRequest, HistoryRequest__Output as _firetower_v1_HistoryRequest__Output } from '../../firetower/v1/HistoryRequest';
import type { KickUserReply as _firetower_v1_KickUserReply, KickUserReply__Output as _firetower_v1_KickUserReply__Output } from '../../firetower/v1/KickUserReply';
import type { KickUserRequest as _firetower_v1_KickUserRequest, KickUserRequest__Output as _firetower_v1_KickUserRequest__Output } from '../../firetower/v1/KickUserRequest';
import type { ListTopicsReply as _firetower_v1_ListTopicsReply, ListTopicsReply__Output as _firetower_v1_ListTopicsReply__Output } from '../../firetower/v1/ListTopicsReply';
import type { ListTopicsRequest as _firetower_v1_ListTopicsRequest, ListTopicsRequest__Output as _firetower_v1_ListTopicsRequest__Output } from '../../firetower/v1/ListTopicsRequest';
import type { PublishBatchRequest as _firetower_v1_PublishBatchRequest, PublishBatchRequest__Output as _firetower_v1_PublishBatchRequest__Output } from '../../firetower/v1/PublishBatchRequest';
import type { PublishReply as _firetower_v1_PublishReply, PublishReply__Output as _firetower_v1_PublishReply__Output } from '../../firetower/v1/PublishReply';
import type { PublishRequest as _firetower_v1_PublishRequest, PublishRequest__Output as _firetower_v1_PublishRequest__Output } from '../../firetower/v1/PublishRequest';
import type { PublishSummary as _firetower_v1_PublishSummary, PublishSummary__Output as _firetower_v1_PublishSummary__Output } from '../../firetower/v1/PublishSummary';
import type { RemoveTopicReply as _firetower_v1_RemoveTopicReply, RemoveTopicReply__Output as _firetower_v1_RemoveTopicReply__Output } from '../../firetower/v1/RemoveTopicReply';
import type { RemoveTopicRequest as _firetower_v1_RemoveTopicRequest, RemoveTopicRequest__Output as _firetower_v1_RemoveTopicRequest__Output } from '../../firetower/v1/RemoveTopicRequest';
import type { SendReply as _firetower_v1_SendReply, SendReply__Output as _firetower_v1_SendReply__Output } from '../../firetower/v1/SendReply';
import type { SendToRequest as _firetower_v1_SendToRequest, SendToRequest__Output as _firetower_v1_SendToRequest__Output } from '../../firetower/v1/SendToRequest';
import type { SendToUserRequest as _firetower_v1_SendToUserRequest, SendToUserRequest__Output as _firetower_v1_SendToUserRequest__Output } from '../../firetower/v1/SendToUserRequest';
import type { StatsReply as _firetower_v1_StatsReply, StatsReply__Output as _firetower_v1_StatsReply__Output } from '../../firetower/v1/StatsReply';
import type { StatsRequest as _firetower_v1_StatsRequest, StatsRequest__Output as _firetower_v1_StatsRequest__Output } from '../../firetower/v1/StatsRequest';
import type { Topic as _firetower_v1_Topic, Topic__Output as _firetower_v1_Topic__Output } from '../../firetower/v1/Topic';
import type { UnsubscribeUserReply as _firetower_v1_UnsubscribeUserReply, UnsubscribeUserReply__Output as _firetower_v1_UnsubscribeUserReply__Output } from '../../firetower/v1/UnsubscribeUserReply';
import type { UnsubscribeUserRequest as _firetower_v1_UnsubscribeUserRequest, UnsubscribeUserRequest__Output as _firetower_v1_UnsubscribeUserRequest__Output } from '../../firetower/v1/UnsubscribeUserRequest';
import type { WatchTopicRequest as _firetower_v1_WatchTopicRequest, WatchTopicRequest__Output as _firetower_v1_WatchTopicRequest__Output } from '../../firetower/v1/WatchTopicRequest';

export interface FiretowerClient extends grpc.Client {
  /**
   * Who is on a topic with presence (the server's `presence` option), cluster-wide. NOT_FOUND
   * (code no_presence) for a topic the option does not cover. Added after v0.2: an older server
   * answers UNIMPLEMENTED.
   */
  GetPresence(argument: _firetower_v1_GetPresenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  GetPresence(argument: _firetower_v1_GetPresenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  GetPresence(argument: _firetower_v1_GetPresenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  GetPresence(argument: _firetower_v1_GetPresenceRequest, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  /**
   * Who is on a topic with presence (the server's `presence` option), cluster-wide. NOT_FOUND
   * (code no_presence) for a topic the option does not cover. Added after v0.2: an older server
   * answers UNIMPLEMENTED.
   */
  getPresence(argument: _firetower_v1_GetPresenceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  getPresence(argument: _firetower_v1_GetPresenceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  getPresence(argument: _firetower_v1_GetPresenceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  getPresence(argument: _firetower_v1_GetPresenceRequest, callback: grpc.requestCallback<_firetower_v1_GetPresenceReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * One topic's cluster-wide subscriber count.
   */
  GetTopic(argument: _firetower_v1_GetTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  GetTopic(argument: _firetower_v1_GetTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  GetTopic(argument: _firetower_v1_GetTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  GetTopic(argument: _firetower_v1_GetTopicRequest, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  /**
   * One topic's cluster-wide subscriber count.
   */
  getTopic(argument: _firetower_v1_GetTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _firetower_v1_GetTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _firetower_v1_GetTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _firetower_v1_GetTopicRequest, callback: grpc.requestCallback<_firetower_v1_Topic__Output>): grpc.ClientUnaryCall;
  
  /**
   * The publications a topic with history keeps (the server's `history` option), oldest first,
   * and the stream's position. NOT_FOUND (code no_history) for a topic the option does not cover.
   * Added after v0.2: an older server answers UNIMPLEMENTED.
   */
  History(argument: _firetower_v1_HistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _firetower_v1_HistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _firetower_v1_HistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _firetower_v1_HistoryRequest, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  /**
   * The publications a topic with history keeps (the server's `history` option), oldest first,
   * and the stream's position. NOT_FOUND (code no_history) for a topic the option does not cover.
   * Added after v0.2: an older server answers UNIMPLEMENTED.
   */
  history(argument: _firetower_v1_HistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _firetower_v1_HistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _firetower_v1_HistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _firetower_v1_HistoryRequest, callback: grpc.requestCallback<_firetower_v1_HistoryReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Close every connection of a user in the cluster (WebSocket close code Kicked).
   */
  KickUser(argument: _firetower_v1_KickUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  KickUser(argument: _firetower_v1_KickUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  KickUser(argument: _firetower_v1_KickUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  KickUser(argument: _firetower_v1_KickUserRequest, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  /**
   * Close every connection of a user in the cluster (WebSocket close code Kicked).
   */
  kickUser(argument: _firetower_v1_KickUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  kickUser(argument: _firetower_v1_KickUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  kickUser(argument: _firetower_v1_KickUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  kickUser(argument: _firetower_v1_KickUserRequest, callback: grpc.requestCallback<_firetower_v1_KickUserReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Topics with subscribers, the largest count first (ties by name), paged.
   */
  ListTopics(argument: _firetower_v1_ListTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _firetower_v1_ListTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _firetower_v1_ListTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _firetower_v1_ListTopicsRequest, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  /**
   * Topics with subscribers, the largest count first (ties by name), paged.
   */
  listTopics(argument: _firetower_v1_ListTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _firetower_v1_ListTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _firetower_v1_ListTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _firetower_v1_ListTopicsRequest, callback: grpc.requestCallback<_firetower_v1_ListTopicsReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Publish one message to every subscriber of the topic in the cluster.
   */
  Publish(argument: _firetower_v1_PublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  Publish(argument: _firetower_v1_PublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  Publish(argument: _firetower_v1_PublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  Publish(argument: _firetower_v1_PublishRequest, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  /**
   * Publish one message to every subscriber of the topic in the cluster.
   */
  publish(argument: _firetower_v1_PublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  publish(argument: _firetower_v1_PublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  publish(argument: _firetower_v1_PublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  publish(argument: _firetower_v1_PublishRequest, callback: grpc.requestCallback<_firetower_v1_PublishReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Publish up to max_batch messages in order. The whole batch is validated first: one bad
   * message fails the call with INVALID_ARGUMENT (its index in the details) and nothing is
   * published.
   */
  PublishBatch(argument: _firetower_v1_PublishBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  PublishBatch(argument: _firetower_v1_PublishBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  PublishBatch(argument: _firetower_v1_PublishBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  PublishBatch(argument: _firetower_v1_PublishBatchRequest, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  /**
   * Publish up to max_batch messages in order. The whole batch is validated first: one bad
   * message fails the call with INVALID_ARGUMENT (its index in the details) and nothing is
   * published.
   */
  publishBatch(argument: _firetower_v1_PublishBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  publishBatch(argument: _firetower_v1_PublishBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  publishBatch(argument: _firetower_v1_PublishBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  publishBatch(argument: _firetower_v1_PublishBatchRequest, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientUnaryCall;
  
  /**
   * For high-rate producers: stream messages, get one summary when you half-close. Messages are
   * published in the order sent; a bad message is counted as rejected (the first one is
   * described in first_error) and the stream goes on.
   */
  PublishStream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  PublishStream(metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  PublishStream(options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  PublishStream(callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  /**
   * For high-rate producers: stream messages, get one summary when you half-close. Messages are
   * published in the order sent; a bad message is counted as rejected (the first one is
   * described in first_error) and the stream goes on.
   */
  publishStream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  publishStream(metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  publishStream(options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  publishStream(callback: grpc.requestCallback<_firetower_v1_PublishSummary__Output>): grpc.ClientWritableStream<_firetower_v1_PublishRequest>;
  
  /**
   * Remove every subscriber of a topic in the cluster.
   */
  RemoveTopic(argument: _firetower_v1_RemoveTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  RemoveTopic(argument: _firetower_v1_RemoveTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  RemoveTopic(argument: _firetower_v1_RemoveTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  RemoveTopic(argument: _firetower_v1_RemoveTopicRequest, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  /**
   * Remove every subscriber of a topic in the cluster.
   */
  removeTopic(argument: _firetower_v1_RemoveTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  removeTopic(argument: _firetower_v1_RemoveTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  removeTopic(argument: _firetower_v1_RemoveTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  removeTopic(argument: _firetower_v1_RemoveTopicRequest, callback: grpc.requestCallback<_firetower_v1_RemoveTopicReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Deliver to one connection (a WebSocket clientId) wherever it is in the cluster, as an ordinary
   * delivery on `topic`. An unknown client is not an error: connections is 0. Added after v0.2.
   */
  SendTo(argument: _firetower_v1_SendToRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  SendTo(argument: _firetower_v1_SendToRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  SendTo(argument: _firetower_v1_SendToRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  SendTo(argument: _firetower_v1_SendToRequest, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  /**
   * Deliver to one connection (a WebSocket clientId) wherever it is in the cluster, as an ordinary
   * delivery on `topic`. An unknown client is not an error: connections is 0. Added after v0.2.
   */
  sendTo(argument: _firetower_v1_SendToRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  sendTo(argument: _firetower_v1_SendToRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  sendTo(argument: _firetower_v1_SendToRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  sendTo(argument: _firetower_v1_SendToRequest, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Deliver to every connection of a user, on every node, as an ordinary delivery on `topic` (no
   * subscription needed). An unknown user is not an error: connections is 0. Not idempotent: a
   * retry may deliver twice. Added after v0.2: an older server answers UNIMPLEMENTED.
   */
  SendToUser(argument: _firetower_v1_SendToUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  SendToUser(argument: _firetower_v1_SendToUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  SendToUser(argument: _firetower_v1_SendToUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  SendToUser(argument: _firetower_v1_SendToUserRequest, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  /**
   * Deliver to every connection of a user, on every node, as an ordinary delivery on `topic` (no
   * subscription needed). An unknown user is not an error: connections is 0. Not idempotent: a
   * retry may deliver twice. Added after v0.2: an older server answers UNIMPLEMENTED.
   */
  sendToUser(argument: _firetower_v1_SendToUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  sendToUser(argument: _firetower_v1_SendToUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  sendToUser(argument: _firetower_v1_SendToUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  sendToUser(argument: _firetower_v1_SendToUserRequest, callback: grpc.requestCallback<_firetower_v1_SendReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * This node's counters (connections, topics, messages, drops, refusals) and its broker link.
   */
  Stats(argument: _firetower_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  Stats(argument: _firetower_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  Stats(argument: _firetower_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  Stats(argument: _firetower_v1_StatsRequest, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  /**
   * This node's counters (connections, topics, messages, drops, refusals) and its broker link.
   */
  stats(argument: _firetower_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  stats(argument: _firetower_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  stats(argument: _firetower_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  stats(argument: _firetower_v1_StatsRequest, callback: grpc.requestCallback<_firetower_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Remove a user's connections from one topic in the cluster.
   */
  UnsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  UnsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  UnsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  UnsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  /**
   * Remove a user's connections from one topic in the cluster.
   */
  unsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  unsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  unsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  unsubscribeUser(argument: _firetower_v1_UnsubscribeUserRequest, callback: grpc.requestCallback<_firetower_v1_UnsubscribeUserReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * The topic's count now, then each change. A slow reader is never queued for: it gets the
   * latest count when it catches up (intermediate counts are skipped).
   */
  WatchTopic(argument: _firetower_v1_WatchTopicRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_firetower_v1_Topic__Output>;
  WatchTopic(argument: _firetower_v1_WatchTopicRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_firetower_v1_Topic__Output>;
  /**
   * The topic's count now, then each change. A slow reader is never queued for: it gets the
   * latest count when it catches up (intermediate counts are skipped).
   */
  watchTopic(argument: _firetower_v1_WatchTopicRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_firetower_v1_Topic__Output>;
  watchTopic(argument: _firetower_v1_WatchTopicRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_firetower_v1_Topic__Output>;
  
}

export interface FiretowerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Who is on a topic with presence (the server's `presence` option), cluster-wide. NOT_FOUND
   * (code no_presence) for a topic the option does not cover. Added after v0.2: an older server
   * answers UNIMPLEMENTED.
   */
  GetPresence: grpc.handleUnaryCall<_firetower_v1_GetPresenceRequest__Output, _firetower_v1_GetPresenceReply>;
  
  /**
   * One topic's cluster-wide subscriber count.
   */
  GetTopic: grpc.handleUnaryCall<_firetower_v1_GetTopicRequest__Output, _firetower_v1_Topic>;
  
  /**
   * The publications a topic with history keeps (the server's `history` option), oldest first,
   * and the stream's position. NOT_FOUND (code no_history) for a topic the option does not cover.
   * Added after v0.2: an older server answers UNIMPLEMENTED.
   */
  History: grpc.handleUnaryCall<_firetower_v1_HistoryRequest__Output, _firetower_v1_HistoryReply>;
  
  /**
   * Close every connection of a user in the cluster (WebSocket close code Kicked).
   */
  KickUser: grpc.handleUnaryCall<_firetower_v1_KickUserRequest__Output, _firetower_v1_KickUserReply>;
  
  /**
   * Topics with subscribers, the largest count first (ties by name), paged.
   */
  ListTopics: grpc.handleUnaryCall<_firetower_v1_ListTopicsRequest__Output, _firetower_v1_ListTopicsReply>;
  
  /**
   * Publish one message to every subscriber of the topic in the cluster.
   */
  Publish: grpc.handleUnaryCall<_firetower_v1_PublishRequest__Output, _firetower_v1_PublishReply>;
  
  /**
   * Publish up to max_batch messages in order. The whole batch is validated first: one bad
   * message fails the call with INVALID_ARGUMENT (its index in the details) and nothing is
   * published.
   */
  PublishBatch: grpc.handleUnaryCall<_firetower_v1_PublishBatchRequest__Output, _firetower_v1_PublishSummary>;
  
  /**
   * For high-rate producers: stream messages, get one summary when you half-close. Messages are
   * published in the order sent; a bad message is counted as rejected (the first one is
   * described in first_error) and the stream goes on.
   */
  PublishStream: grpc.handleClientStreamingCall<_firetower_v1_PublishRequest__Output, _firetower_v1_PublishSummary>;
  
  /**
   * Remove every subscriber of a topic in the cluster.
   */
  RemoveTopic: grpc.handleUnaryCall<_firetower_v1_RemoveTopicRequest__Output, _firetower_v1_RemoveTopicReply>;
  
  /**
   * Deliver to one connection (a WebSocket clientId) wherever it is in the cluster, as an ordinary
   * delivery on `topic`. An unknown client is not an error: connections is 0. Added after v0.2.
   */
  SendTo: grpc.handleUnaryCall<_firetower_v1_SendToRequest__Output, _firetower_v1_SendReply>;
  
  /**
   * Deliver to every connection of a user, on every node, as an ordinary delivery on `topic` (no
   * subscription needed). An unknown user is not an error: connections is 0. Not idempotent: a
   * retry may deliver twice. Added after v0.2: an older server answers UNIMPLEMENTED.
   */
  SendToUser: grpc.handleUnaryCall<_firetower_v1_SendToUserRequest__Output, _firetower_v1_SendReply>;
  
  /**
   * This node's counters (connections, topics, messages, drops, refusals) and its broker link.
   */
  Stats: grpc.handleUnaryCall<_firetower_v1_StatsRequest__Output, _firetower_v1_StatsReply>;
  
  /**
   * Remove a user's connections from one topic in the cluster.
   */
  UnsubscribeUser: grpc.handleUnaryCall<_firetower_v1_UnsubscribeUserRequest__Output, _firetower_v1_UnsubscribeUserReply>;
  
  /**
   * The topic's count now, then each change. A slow reader is never queued for: it gets the
   * latest count when it catches up (intermediate counts are skipped).
   */
  WatchTopic: grpc.handleServerStreamingCall<_firetower_v1_WatchTopicRequest__Output, _firetower_v1_Topic>;
  
}

export interface FiretowerDefinition extends grpc.ServiceDefinition {
  GetPresence: MethodDefinition<_firetower_v1_GetPresenceRequest, _firetower_v1_GetPresenceReply, _firetower_v1_GetPresenceRequest__Output, _firetower_v1_GetPresenceReply__Output>
  GetTopic: MethodDefinition<_firetower_v1_GetTopicRequest, _firetower_v1_Topic, _firetower_v1_GetTopicRequest__Output, _firetower_v1_Topic__Output>
  History: MethodDefinition<_firetower_v1_HistoryRequest, _firetower_v1_HistoryReply, _firetower_v1_HistoryRequest__Output, _firetower_v1_HistoryReply__Output>
  KickUser: MethodDefinition<_firetower_v1_KickUserRequest, _firetower_v1_KickUserReply, _firetower_v1_KickUserRequest__Output, _firetower_v1_KickUserReply__Output>
  ListTopics: MethodDefinition<_firetower_v1_ListTopicsRequest, _firetower_v1_ListTopicsReply, _firetower_v1_ListTopicsRequest__Output, _firetower_v1_ListTopicsReply__Output>
  Publish: MethodDefinition<_firetower_v1_PublishRequest, _firetower_v1_PublishReply, _firetower_v1_PublishRequest__Output, _firetower_v1_PublishReply__Output>
  PublishBatch: MethodDefinition<_firetower_v1_PublishBatchRequest, _firetower_v1_PublishSummary, _firetower_v1_PublishBatchRequest__Output, _firetower_v1_PublishSummary__Output>
  PublishStream: MethodDefinition<_firetower_v1_PublishRequest, _firetower_v1_PublishSummary, _firetower_v1_PublishRequest__Output, _firetower_v1_PublishSummary__Output>
  RemoveTopic: MethodDefinition<_firetower_v1_RemoveTopicRequest, _firetower_v1_RemoveTopicReply, _firetower_v1_RemoveTopicRequest__Output, _firetower_v1_RemoveTopicReply__Output>
  SendTo: MethodDefinition<_firetower_v1_SendToRequest, _firetower_v1_SendReply, _firetower_v1_SendToRequest__Output, _firetower_v1_SendReply__Output>
  SendToUser: MethodDefinition<_firetower_v1_SendToUserRequest, _firetower_v1_SendReply, _firetower_v1_SendToUserRequest__Output, _firetower_v1_SendReply__Output>
  Stats: MethodDefinition<_firetower_v1_StatsRequest, _firetower_v1_StatsReply, _firetower_v1_StatsRequest__Output, _firetower_v1_StatsReply__Output>
  UnsubscribeUser: MethodDefinition<_firetower_v1_UnsubscribeUserRequest, _firetower_v1_UnsubscribeUserReply, _firetower_v1_UnsubscribeUserRequest__Output, _firetower_v1_UnsubscribeUserReply__Output>
  WatchTopic: MethodDefinition<_firetower_v1_WatchTopicRequest, _firetower_v1_Topic, _firetower_v1_WatchTopicRequest__Output, _firetower_v1_Topic__Output>
}
