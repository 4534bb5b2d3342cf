// Original file: proto/firetower.proto

import type { PublishError as _firetower_v1_PublishError, PublishError__Output as _firetower_v1_PublishError__Output } from '../../firetower/v1/PublishError';

export interface PublishSummary {
  /**
   * Messages the server took, duplicates included.
   */
  'accepted'?: (number);
  'rejected'?: (number);
  /**
   * The first rejection, when rejected > 0.
   */
  'firstError'?: (_firetower_v1_PublishError | null);
  /**
   * Of the accepted, how many were not delivered because their idempotency_key was already used
   * (see PublishReply.duplicate). Added after v0.1: an older server never sets it (0).
   */
  'duplicates'?: (number);
}

export interface PublishSummary__Output {
  /**
   * Messages the server took, duplicates included.
   */
  'accepted': (number);
  'rejected': (number);
  /**
   * The first rejection, when rejected > 0.
   */
  'firstError': (_firetower_v1_PublishError__Output | null);
  /**
   * Of the accepted, how many were not delivered because their idempotency_key was already used
   * (see PublishReply.duplicate). Added after v0.1: an older server never sets it (0).
   */
  'duplicates': (number);
}
