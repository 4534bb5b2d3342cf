// Original file: proto/firetower.proto

import type { Long } from '@grpc/proto-loader';

export interface BrokerStatus {
  'kind'?: (string);
  'connected'?: (boolean);
  'pendingPublishes'?: (number | string | Long);
  'droppedPublishes'?: (number | string | Long);
}

export interface BrokerStatus__Output {
  'kind': (string);
  'connected': (boolean);
  'pendingPublishes': (number);
  'droppedPublishes': (number);
}
