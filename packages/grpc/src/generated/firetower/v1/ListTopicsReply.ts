// Original file: proto/firetower.proto

import type { Topic as _firetower_v1_Topic, Topic__Output as _firetower_v1_Topic__Output } from '../../firetower/v1/Topic';

export interface ListTopicsReply {
  'topics'?: (_firetower_v1_Topic)[];
  /**
   * Empty on the last page. Pages are cut from a fresh listing each call, so topics whose
   * counts change between calls may move between pages.
   */
  'nextPageToken'?: (string);
  /**
   * Topics matching the prefix in this listing.
   */
  'totalSize'?: (number);
}

export interface ListTopicsReply__Output {
  'topics': (_firetower_v1_Topic__Output)[];
  /**
   * Empty on the last page. Pages are cut from a fresh listing each call, so topics whose
   * counts change between calls may move between pages.
   */
  'nextPageToken': (string);
  /**
   * Topics matching the prefix in this listing.
   */
  'totalSize': (number);
}
