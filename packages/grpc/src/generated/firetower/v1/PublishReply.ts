// Original file: proto/firetower.proto


export interface PublishReply {
  /**
   * True when nothing was delivered because this publish's idempotency_key was already used
   * within the server's dedupe window (a retry of a publish that went out): the call succeeded,
   * the message was delivered once, by the first publish. Added after v0.1: an older server
   * never sets it (false).
   */
  'duplicate'?: (boolean);
}

export interface PublishReply__Output {
  /**
   * True when nothing was delivered because this publish's idempotency_key was already used
   * within the server's dedupe window (a retry of a publish that went out): the call succeeded,
   * the message was delivered once, by the first publish. Added after v0.1: an older server
   * never sets it (false).
   */
  'duplicate': (boolean);
}
