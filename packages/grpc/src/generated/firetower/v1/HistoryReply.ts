// Original file: proto/firetower.proto

import type { HistoryPublication as _firetower_v1_HistoryPublication, HistoryPublication__Output as _firetower_v1_HistoryPublication__Output } from '../../firetower/v1/HistoryPublication';
import type { Long } from '@grpc/proto-loader';

export interface HistoryReply {
  /**
   * Oldest first.
   */
  'publications'?: (_firetower_v1_HistoryPublication)[];
  /**
   * The offset of the topic's last publish (0 for a stream not started yet).
   */
  'offset'?: (number | string | Long);
  /**
   * The stream these offsets belong to; it changes when the store lost its memory of the topic
   * (a restart, a flush, an expiry). Empty for a stream not started yet.
   */
  'epoch'?: (string);
}

export interface HistoryReply__Output {
  /**
   * Oldest first.
   */
  'publications': (_firetower_v1_HistoryPublication__Output)[];
  /**
   * The offset of the topic's last publish (0 for a stream not started yet).
   */
  'offset': (number);
  /**
   * The stream these offsets belong to; it changes when the store lost its memory of the topic
   * (a restart, a flush, an expiry). Empty for a stream not started yet.
   */
  'epoch': (string);
}
