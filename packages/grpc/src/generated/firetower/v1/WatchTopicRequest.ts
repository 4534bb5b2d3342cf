// Original file: proto/firetower.proto


export interface WatchTopicRequest {
  'topic'?: (string);
}

export interface WatchTopicRequest__Output {
  'topic': (string);
}
