// Original file: proto/firetower.proto


export interface UnsubscribeUserRequest {
  'userId'?: (string);
  'topic'?: (string);
}

export interface UnsubscribeUserRequest__Output {
  'userId': (string);
  'topic': (string);
}
