// Original file: proto/firetower.proto

import type { BrokerStatus as _firetower_v1_BrokerStatus, BrokerStatus__Output as _firetower_v1_BrokerStatus__Output } from '../../firetower/v1/BrokerStatus';
import type { Long } from '@grpc/proto-loader';

export interface StatsReply {
  'nodeId'?: (string);
  'connections'?: (number | string | Long);
  'topics'?: (number | string | Long);
  'subscriptions'?: (number | string | Long);
  'messagesInTotal'?: (number | string | Long);
  'messagesOutTotal'?: (number | string | Long);
  'bytesOutTotal'?: (number | string | Long);
  'publishesTotal'?: (number | string | Long);
  /**
   * Keys: slow_consumer, duplicate, handler, broker_overflow.
   */
  'dropsTotal'?: ({[key: string]: number | string | Long});
  /**
   * Keys: origin, authenticate, beforeSubscribe, message, rate, limits.
   */
  'refusalsTotal'?: ({[key: string]: number | string | Long});
  'errorsTotal'?: (number | string | Long);
  'broker'?: (_firetower_v1_BrokerStatus | null);
}

export interface StatsReply__Output {
  'nodeId': (string);
  'connections': (number);
  'topics': (number);
  'subscriptions': (number);
  'messagesInTotal': (number);
  'messagesOutTotal': (number);
  'bytesOutTotal': (number);
  'publishesTotal': (number);
  /**
   * Keys: slow_consumer, duplicate, handler, broker_overflow.
   */
  'dropsTotal': ({[key: string]: number});
  /**
   * Keys: origin, authenticate, beforeSubscribe, message, rate, limits.
   */
  'refusalsTotal': ({[key: string]: number});
  'errorsTotal': (number);
  'broker': (_firetower_v1_BrokerStatus__Output | null);
}
