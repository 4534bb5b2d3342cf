/** What every handler needs: the server's API, the resolved options and the call guard. */
import type { ServerUnaryCall, handleUnaryCall } from '@grpc/grpc-js';
import type { FiretowerApi } from '@firetower/server';
import type { AuthCheck } from './auth.js';
import type { CallStatus } from './errors.js';
import { answer } from './guard.js';
import type { ResolvedOptions } from './options.js';
import type { TopicCountWatcher } from './watch.js';

/**
 * The part of the server's public API the gRPC door uses. Nothing else: a gRPC call behaves
 * exactly like the HTTP API's operation, on one node and in a cluster. Any `firetower()` (of any
 * AppData) fits.
 */
export type FiretowerPushApi = Pick<
  FiretowerApi,
  | 'nodeId'
  | 'broker'
  | 'publish'
  | 'sendTo'
  | 'sendToUser'
  | 'count'
  | 'exists'
  | 'topics'
  | 'onCountChange'
  | 'kickUser'
  | 'unsubscribeUser'
  | 'removeTopic'
  | 'stats'
> &
  // Optional so a wrapping or test API need not have them (nor a server older than history or
  // presence); a real `ft` always does. Without `history`, History answers NOT_FOUND no_history;
  // without `presence`, GetPresence answers NOT_FOUND no_presence.
  Partial<Pick<FiretowerApi, 'reportError' | 'history' | 'presence'>>;

export interface CallContext {
  ft: FiretowerPushApi;
  options: ResolvedOptions;
  checkAuth: AuthCheck;
  watcher: TopicCountWatcher;
  /** False once close() started: new calls get UNAVAILABLE. */
  isServing(): boolean;
  /**
   * The status that ends a call with this error. An unexpected fault (INTERNAL: a bug, something
   * the server's API threw that is not one of its coded errors) is also reported to `onError`.
   */
  fault(error: unknown, call: FaultInfo): CallStatus;
}

/** Which call a fault ended. */
export interface FaultInfo {
  /** The full method path, e.g. `/firetower.v1.Firetower/Publish`. */
  method: string;
  /** The caller's address, when known. */
  peer?: string;
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

/**
 * A unary method: run, answer. Admission already happened (admission.ts) and guard.ts catches
 * synchronous throws; any rejection becomes the mapped status, never a crash.
 */
export function unary<Req, Res>(context: CallContext, run: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const info = { method: call.getPath(), peer: call.getPeer() };
    run(call.request, call).then(
      (reply) => answer(context, info, () => callback(null, reply)),
      (error: unknown) => answer(context, info, () => callback(context.fault(error, info))),
    );
  };
}
