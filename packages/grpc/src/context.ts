/** What every handler needs: the server's API, the resolved options and the call guard. */
import type { ServerUnaryCall, handleUnaryCall } from '@grpc/grpc-js';
import type { FiretowerApi } from '@firetower/server';
import type { AuthCheck } from './auth.js';
import { GrpcApiError, toServiceError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { TopicCountWatcher } from './watch.js';

/**
 * The part of the server's public API the gRPC door uses. Nothing else: a gRPC call behaves
 * exactly like the HTTP API's operation, on one node and in a cluster. Any `firetower()` (of any
 * AppData) fits.
 */
export type FiretowerPushApi = Pick<
  FiretowerApi,
  'nodeId' | 'broker' | 'publish' | 'count' | 'exists' | 'topics' | 'onCountChange' | 'kickUser' | 'unsubscribeUser' | 'removeTopic' | 'stats'
>;

export interface CallContext {
  ft: FiretowerPushApi;
  options: ResolvedOptions;
  checkAuth: AuthCheck;
  watcher: TopicCountWatcher;
  /** False once close() started: new calls get UNAVAILABLE. */
  isServing(): boolean;
}

/** Something grpc-js hands a handler: each call kind has metadata, a path and a peer. */
export interface CallLike {
  metadata: import('@grpc/grpc-js').Metadata;
  getPath(): string;
  getPeer(): string;
}

/**
 * Has the call ended for its client? grpc-js flags a cancel (client hang-up, deadline) on a later
 * tick, so the deadline is also compared directly: long work stops at the deadline, not after.
 */
export function callEnded(call: { cancelled: boolean; getDeadline(): import('@grpc/grpc-js').Deadline }): boolean {
  if (call.cancelled) return true;
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return ms <= Date.now();
}

/** Refuses the call when the server is closing or the caller is not authorised. */
export async function admit(context: CallContext, call: CallLike): Promise<void> {
  if (!context.isServing()) throw new GrpcApiError('shutting_down', 'the server is shutting down');
  await context.checkAuth({ metadata: call.metadata, method: call.getPath(), peer: call.getPeer() });
}

/** A unary method: admit, run, answer; any throw becomes the mapped status, never a crash. */
export function unary<Req, Res>(
  context: CallContext,
  run: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    admit(context, call)
      .then(() => run(call.request, call))
      .then(
        (reply) => callback(null, reply),
        (error: unknown) => callback(toServiceError(error)),
      );
  };
}
