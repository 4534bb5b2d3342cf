// Original file: proto/firetower.proto


export interface SendToUserRequest {
  /**
   * 1..256 characters.
   */
  'userId'?: (string);
  /**
   * The topic the delivery carries (checked like a publish's).
   */
  'topic'?: (string);
  /**
   * JSON text, parsed and delivered as that value (at most max_data_bytes, 63 levels deep). Empty:
   * null.
   */
  'dataJson'?: (string);
}

export interface SendToUserRequest__Output {
  /**
   * 1..256 characters.
   */
  'userId': (string);
  /**
   * The topic the delivery carries (checked like a publish's).
   */
  'topic': (string);
  /**
   * JSON text, parsed and delivered as that value (at most max_data_bytes, 63 levels deep). Empty:
   * null.
   */
  'dataJson': (string);
}
