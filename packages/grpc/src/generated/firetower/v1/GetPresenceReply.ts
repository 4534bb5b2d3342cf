// Original file: proto/firetower.proto

import type { PresenceMember as _firetower_v1_PresenceMember, PresenceMember__Output as _firetower_v1_PresenceMember__Output } from '../../firetower/v1/PresenceMember';

export interface GetPresenceReply {
  /**
   * Empty when truncated.
   */
  'members'?: (_firetower_v1_PresenceMember)[];
  /**
   * Members on the topic, cluster-wide.
   */
  'total'?: (number);
  /**
   * True above the topic's max_members: only total is given.
   */
  'truncated'?: (boolean);
}

export interface GetPresenceReply__Output {
  /**
   * Empty when truncated.
   */
  'members': (_firetower_v1_PresenceMember__Output)[];
  /**
   * Members on the topic, cluster-wide.
   */
  'total': (number);
  /**
   * True above the topic's max_members: only total is given.
   */
  'truncated': (boolean);
}
