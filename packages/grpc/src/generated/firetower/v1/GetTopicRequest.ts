// Original file: proto/firetower.proto


export interface GetTopicRequest {
  'topic'?: (string);
}

export interface GetTopicRequest__Output {
  'topic': (string);
}
