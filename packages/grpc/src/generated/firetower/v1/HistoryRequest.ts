// Original file: proto/firetower.proto

import type { Long } from '@grpc/proto-loader';

export interface HistoryRequest {
  'topic'?: (string);
  /**
   * At most this many publications, the newest: 1..10000; 0 means the topic's history size (the
   * largest answer). Capped at that size.
   */
  'limit'?: (number);
  /**
   * Only publications after this position: the offset and epoch of a delivery or of an earlier
   * reply. Unset (0 and ""): everything kept. A position of another epoch (the store forgot the
   * topic since) reads everything kept. since_offset above 0 needs since_epoch.
   */
  'sinceOffset'?: (number | string | Long);
  /**
   * At most 64 characters.
   */
  'sinceEpoch'?: (string);
}

export interface HistoryRequest__Output {
  'topic': (string);
  /**
   * At most this many publications, the newest: 1..10000; 0 means the topic's history size (the
   * largest answer). Capped at that size.
   */
  'limit': (number);
  /**
   * Only publications after this position: the offset and epoch of a delivery or of an earlier
   * reply. Unset (0 and ""): everything kept. A position of another epoch (the store forgot the
   * topic since) reads everything kept. since_offset above 0 needs since_epoch.
   */
  'sinceOffset': (number);
  /**
   * At most 64 characters.
   */
  'sinceEpoch': (string);
}
