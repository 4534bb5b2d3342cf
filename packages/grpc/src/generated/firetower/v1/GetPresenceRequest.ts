// Original file: proto/firetower.proto


export interface GetPresenceRequest {
  'topic'?: (string);
}

export interface GetPresenceRequest__Output {
  'topic': (string);
}
