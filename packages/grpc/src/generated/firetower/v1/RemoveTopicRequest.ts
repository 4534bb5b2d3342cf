// Original file: proto/firetower.proto


export interface RemoveTopicRequest {
  'topic'?: (string);
}

export interface RemoveTopicRequest__Output {
  'topic': (string);
}
