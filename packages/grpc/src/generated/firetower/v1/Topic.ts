// Original file: proto/firetower.proto


export interface Topic {
  'topic'?: (string);
  /**
   * Subscribers in the whole cluster.
   */
  'count'?: (number);
  /**
   * Does any node have a subscriber.
   */
  'exists'?: (boolean);
}

export interface Topic__Output {
  'topic': (string);
  /**
   * Subscribers in the whole cluster.
   */
  'count': (number);
  /**
   * Does any node have a subscriber.
   */
  'exists': (boolean);
}
