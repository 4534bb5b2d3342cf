// Original file: proto/firetower.proto


export interface KickUserRequest {
  'userId'?: (string);
  /**
   * Sent as the WebSocket close reason.
   */
  'reason'?: (string);
}

export interface KickUserRequest__Output {
  'userId': (string);
  /**
   * Sent as the WebSocket close reason.
   */
  'reason': (string);
}
