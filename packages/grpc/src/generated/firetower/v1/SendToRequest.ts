// Original file: proto/firetower.proto


export interface SendToRequest {
  /**
   * A WebSocket clientId: 1..256 characters.
   */
  'clientId'?: (string);
  'topic'?: (string);
  /**
   * As in SendToUserRequest.
   */
  'dataJson'?: (string);
}

export interface SendToRequest__Output {
  /**
   * A WebSocket clientId: 1..256 characters.
   */
  'clientId': (string);
  'topic': (string);
  /**
   * As in SendToUserRequest.
   */
  'dataJson': (string);
}
