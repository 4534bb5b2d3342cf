export { createGrpcServer, GrpcServerError } from './server.js';
export type { GrpcServer, GrpcServerState, GrpcServerErrorCode } from './server.js';
export type { GrpcServerOptions, AuthorizeContext } from './options.js';
export type { FiretowerPushApi } from './context.js';
export { GrpcApiError, InvalidArgumentError } from './errors.js';
export type { GrpcErrorCode, InvalidArgumentCode } from './errors.js';
export { FIRETOWER_PROTO_PATH, PROTO_DIR, FIRETOWER_SERVICE, HEALTH_SERVICE } from './proto.js';
export { createPushClient } from './client.js';
export type { PushClient, PushClientOptions, PublishInput, PublishStreamWriter, HistoryInput } from './client.js';
export type {
  PublishReply,
  PublishSummary,
  PublishError,
  TopicReply,
  HistoryReply,
  HistoryPublication,
  GetPresenceReply,
  PresenceMember,
  SendReply,
} from './messages.js';
