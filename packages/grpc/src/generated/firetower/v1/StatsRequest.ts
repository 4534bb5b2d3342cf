// Original file: proto/firetower.proto


export interface StatsRequest {
}

export interface StatsRequest__Output {
}
