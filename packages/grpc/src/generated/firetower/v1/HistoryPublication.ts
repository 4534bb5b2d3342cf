// Original file: proto/firetower.proto

import type { Long } from '@grpc/proto-loader';

export interface HistoryPublication {
  /**
   * Numbers the topic's publications from 1 within an epoch, one per publish, cluster-wide.
   * Always below 2^53.
   */
  'offset'?: (number | string | Long);
  /**
   * The published data as JSON text.
   */
  'dataJson'?: (string);
}

export interface HistoryPublication__Output {
  /**
   * Numbers the topic's publications from 1 within an epoch, one per publish, cluster-wide.
   * Always below 2^53.
   */
  'offset': (number);
  /**
   * The published data as JSON text.
   */
  'dataJson': (string);
}
