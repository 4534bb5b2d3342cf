// Original file: proto/firetower.proto


export interface SendReply {
  /**
   * Connections the message was written to, summed over the nodes that answered.
   */
  'connections'?: (number);
  /**
   * Every node the broker knows of answered within 2 s. False when one did not (it may still have
   * delivered), or when the broker keeps no node list to wait for.
   */
  'complete'?: (boolean);
}

export interface SendReply__Output {
  /**
   * Connections the message was written to, summed over the nodes that answered.
   */
  'connections': (number);
  /**
   * Every node the broker knows of answered within 2 s. False when one did not (it may still have
   * delivered), or when the broker keeps no node list to wait for.
   */
  'complete': (boolean);
}
