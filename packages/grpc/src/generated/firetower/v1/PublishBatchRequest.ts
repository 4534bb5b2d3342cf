// Original file: proto/firetower.proto

import type { PublishRequest as _firetower_v1_PublishRequest, PublishRequest__Output as _firetower_v1_PublishRequest__Output } from '../../firetower/v1/PublishRequest';

export interface PublishBatchRequest {
  'messages'?: (_firetower_v1_PublishRequest)[];
}

export interface PublishBatchRequest__Output {
  'messages': (_firetower_v1_PublishRequest__Output)[];
}
