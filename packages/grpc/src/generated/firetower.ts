import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BrokerStatus as _firetower_v1_BrokerStatus, BrokerStatus__Output as _firetower_v1_BrokerStatus__Output } from './firetower/v1/BrokerStatus';
import type { FiretowerClient as _firetower_v1_FiretowerClient, FiretowerDefinition as _firetower_v1_FiretowerDefinition } from './firetower/v1/Firetower';
import type { GetPresenceReply as _firetower_v1_GetPresenceReply, GetPresenceReply__Output as _firetower_v1_GetPresenceReply__Output } from './firetower/v1/GetPresenceReply';
import type { GetPresenceRequest as _firetower_v1_GetPresenceRequest, GetPresenceRequest__Output as _firetower_v1_GetPresenceRequest__Output } from './firetower/v1/GetPresenceRequest';
import type { GetTopicRequest as _firetower_v1_GetTopicRequest, GetTopicRequest__Output as _firetower_v1_GetTopicRequest__Output } from './firetower/v1/GetTopicRequest';
import type { HistoryPublication as _firetower_v1_HistoryPublication, HistoryPublication__Output as _firetower_v1_HistoryPublication__Output } from './firetower/v1/HistoryPublication';
import type { HistoryReply as _firetower_v1_HistoryReply, HistoryReply__Output as _firetower_v1_HistoryReply__Output } from './firetower/v1/HistoryReply';
import type { HistoryRequest as _firetower_v1_HistoryRequest, HistoryRequest__Output as _firetower_v1_HistoryRequest__Output } from './firetower/v1/HistoryRequest';
import type { KickUserReply as _firetower_v1_KickUserReply, KickUserReply__Output as _firetower_v1_KickUserReply__Output } from './firetower/v1/KickUserReply';
import type { KickUserRequest as _firetower_v1_KickUserRequest, KickUserRequest__Output as _firetower_v1_KickUserRequest__Output } from './firetower/v1/KickUserRequest';
import type { ListTopicsReply as _firetower_v1_ListTopicsReply, ListTopicsReply__Output as _firetower_v1_ListTopicsReply__Output } from './firetower/v1/ListTopicsReply';
import type { ListTopicsRequest as _firetower_v1_ListTopicsRequest, ListTopicsRequest__Output as _firetower_v1_ListTopicsRequest__Output } from './firetower/v1/ListTopicsRequest';
import type { PresenceMember as _firetower_v1_PresenceMember, PresenceMember__Output as _firetower_v1_PresenceMember__Output } from './firetower/v1/PresenceMember';
import type { PublishBatchRequest as _firetower_v1_PublishBatchRequest, PublishBatchRequest__Output as _firetower_v1_PublishBatchRequest__Output } from './firetower/v1/PublishBatchRequest';
import type { PublishError as _firetower_v1_PublishError, PublishError__Output as _firetower_v1_PublishError__Output } from './firetower/v1/PublishError';
import type { PublishReply as _firetower_v1_PublishReply, PublishReply__Output as _firetower_v1_PublishReply__Output } from './firetower/v1/PublishReply';
import type { PublishRequest as _firetower_v1_PublishRequest, PublishRequest__Output as _firetower_v1_PublishRequest__Output } from './firetower/v1/PublishRequest';
import type { PublishSummary as _firetower_v1_PublishSummary, PublishSummary__Output as _firetower_v1_PublishSummary__Output } from './firetower/v1/PublishSummary';
import type { RemoveTopicReply as _firetower_v1_RemoveTopicReply, RemoveTopicReply__Output as _firetower_v1_RemoveTopicReply__Output } from './firetower/v1/RemoveTopicReply';
import type { RemoveTopicRequest as _firetower_v1_RemoveTopicRequest, RemoveTopicRequest__Output as _firetower_v1_RemoveTopicRequest__Output } from './firetower/v1/RemoveTopicRequest';
import type { SendReply as _firetower_v1_SendReply, SendReply__Output as _firetower_v1_SendReply__Output } from './firetower/v1/SendReply';
import type { SendToRequest as _firetower_v1_SendToRequest, SendToRequest__Output as _firetower_v1_SendToRequest__Output } from './firetower/v1/SendToRequest';
import type { SendToUserRequest as _firetower_v1_SendToUserRequest, SendToUserRequest__Output as _firetower_v1_SendToUserRequest__Output } from './firetower/v1/SendToUserRequest';
import type { StatsReply as _firetower_v1_StatsReply, StatsReply__Output as _firetower_v1_StatsReply__Output } from './firetower/v1/StatsReply';
import type { StatsRequest as _firetower_v1_StatsRequest, StatsRequest__Output as _firetower_v1_StatsRequest__Output } from './firetower/v1/StatsRequest';
import type { Topic as _firetower_v1_Topic, Topic__Output as _firetower_v1_Topic__Output } from './firetower/v1/Topic';
import type { UnsubscribeUserReply as _firetower_v1_UnsubscribeUserReply, UnsubscribeUserReply__Output as _firetower_v1_UnsubscribeUserReply__Output } from './firetower/v1/UnsubscribeUserReply';
import type { UnsubscribeUserRequest as _firetower_v1_UnsubscribeUserRequest, UnsubscribeUserRequest__Output as _firetower_v1_UnsubscribeUserRequest__Output } from './firetower/v1/UnsubscribeUserRequest';
import type { WatchTopicRequest as _firetower_v1_WatchTopicRequest, WatchTopicRequest__Output as _firetower_v1_WatchTopicRequest__Output } from './firetower/v1/WatchTopicRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  firetower: {
    v1: {
      BrokerStatus: MessageTypeDefinition<_firetower_v1_BrokerStatus, _firetower_v1_BrokerStatus__Output>
      Firetower: SubtypeConstructor<typeof grpc.Client, _firetower_v1_FiretowerClient> & { service: _firetower_v1_FiretowerDefinition }
      GetPresenceReply: MessageTypeDefinition<_firetower_v1_GetPresenceReply, _firetower_v1_GetPresenceReply__Output>
      GetPresenceRequest: MessageTypeDefinition<_firetower_v1_GetPresenceRequest, _firetower_v1_GetPresenceRequest__Output>
      GetTopicRequest: MessageTypeDefinition<_firetower_v1_GetTopicRequest, _firetower_v1_GetTopicRequest__Output>
      HistoryPublication: MessageTypeDefinition<_firetower_v1_HistoryPublication, _firetower_v1_HistoryPublication__Output>
      HistoryReply: MessageTypeDefinition<_firetower_v1_HistoryReply, _firetower_v1_HistoryReply__Output>
      HistoryRequest: MessageTypeDefinition<_firetower_v1_HistoryRequest, _firetower_v1_HistoryRequest__Output>
      KickUserReply: MessageTypeDefinition<_firetower_v1_KickUserReply, _firetower_v1_KickUserReply__Output>
      KickUserRequest: MessageTypeDefinition<_firetower_v1_KickUserRequest, _firetower_v1_KickUserRequest__Output>
      ListTopicsReply: MessageTypeDefinition<_firetower_v1_ListTopicsReply, _firetower_v1_ListTopicsReply__Output>
      ListTopicsRequest: MessageTypeDefinition<_firetower_v1_ListTopicsRequest, _firetower_v1_ListTopicsRequest__Output>
      PresenceMember: MessageTypeDefinition<_firetower_v1_PresenceMember, _firetower_v1_PresenceMember__Output>
      PublishBatchRequest: MessageTypeDefinition<_firetower_v1_PublishBatchRequest, _firetower_v1_PublishBatchRequest__Output>
      PublishError: MessageTypeDefinition<_firetower_v1_PublishError, _firetower_v1_PublishError__Output>
      PublishReply: MessageTypeDefinition<_firetower_v1_PublishReply, _firetower_v1_PublishReply__Output>
      PublishRequest: MessageTypeDefinition<_firetower_v1_PublishRequest, _firetower_v1_PublishRequest__Output>
      PublishSummary: MessageTypeDefinition<_firetower_v1_PublishSummary, _firetower_v1_PublishSummary__Output>
      RemoveTopicReply: MessageTypeDefinition<_firetower_v1_RemoveTopicReply, _firetower_v1_RemoveTopicReply__Output>
      RemoveTopicRequest: MessageTypeDefinition<_firetower_v1_RemoveTopicRequest, _firetower_v1_RemoveTopicRequest__Output>
      SendReply: MessageTypeDefinition<_firetower_v1_SendReply, _firetower_v1_SendReply__Output>
      SendToRequest: MessageTypeDefinition<_firetower_v1_SendToRequest, _firetower_v1_SendToRequest__Output>
      SendToUserRequest: MessageTypeDefinition<_firetower_v1_SendToUserRequest, _firetower_v1_SendToUserRequest__Output>
      StatsReply: MessageTypeDefinition<_firetower_v1_StatsReply, _firetower_v1_StatsReply__Output>
      StatsRequest: MessageTypeDefinition<_firetower_v1_StatsRequest, _firetower_v1_StatsRequest__Output>
      Topic: MessageTypeDefinition<_firetower_v1_Topic, _firetower_v1_Topic__Output>
      UnsubscribeUserReply: MessageTypeDefinition<_firetower_v1_UnsubscribeUserReply, _firetower_v1_UnsubscribeUserReply__Output>
      UnsubscribeUserRequest: MessageTypeDefinition<_firetower_v1_UnsubscribeUserRequest, _firetower_v1_UnsubscribeUserRequest__Output>
      WatchTopicRequest: MessageTypeDefinition<_firetower_v1_WatchTopicRequest, _firetower_v1_WatchTopicRequest__Output>
    }
  }
}

