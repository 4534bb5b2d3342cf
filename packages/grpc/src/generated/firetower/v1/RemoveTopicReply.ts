// Original file: proto/firetower.proto


export interface RemoveTopicReply {
}

export interface RemoveTopicReply__Output {
}
