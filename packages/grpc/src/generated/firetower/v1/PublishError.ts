// Original file: proto/firetower.proto


export interface PublishError {
  /**
   * Position of the message in the batch or stream, from 0.
   */
  'index'?: (number);
  /**
   * A stable code: invalid_topic, invalid_json, data_too_deep, data_too_large, malformed_request,
   * invalid_field, broker_overflow, unavailable, internal.
   */
  'code'?: (string);
  'message'?: (string);
}

export interface PublishError__Output {
  /**
   * Position of the message in the batch or stream, from 0.
   */
  'index': (number);
  /**
   * A stable code: invalid_topic, invalid_json, data_too_deep, data_too_large, malformed_request,
   * invalid_field, broker_overflow, unavailable, internal.
   */
  'code': (string);
  'message': (string);
}
