// Original file: proto/firetower.proto


export interface KickUserReply {
}

export interface KickUserReply__Output {
}
