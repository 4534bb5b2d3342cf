// Original file: proto/firetower.proto


export interface UnsubscribeUserReply {
}

export interface UnsubscribeUserReply__Output {
}
