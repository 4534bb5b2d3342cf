/**
 * The one guarded entry point of every Firetower method. Whatever a call sends (a message the
 * protobuf decoder rejects, a value that trips a bug in a handler or in the server's API), the
 * fault ends that call with a status and nothing else: the process and the other calls carry on.
 *
 * - A request the decoder rejects becomes a MalformedRequest value instead of grpc-js's INTERNAL
 *   "Error deserializing request": the handler answers INVALID_ARGUMENT `malformed_request`.
 * - A handler that throws synchronously answers through the same path as its asynchronous errors.
 * - Every error status is built by `context.fault`, which reports unexpected (INTERNAL) faults to
 *   the `onError` option.
 *
 * Listeners and timers that handlers install later (a stream's 'data', a watch's re-read) catch
 * their own faults and end their call through `context.fault` too (see publish.ts and watch.ts).
 */
import type { MethodDefinition, sendUnaryData, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CallContext, FaultInfo } from './context.js';
import { GrpcApiError, InvalidArgumentError } from './errors.js';

/** What the guarded decoder yields for bytes that are not a valid message of the method's type. */
export class MalformedRequest {
  constructor(readonly reason: string) {}
}

/** The error a handler answers for a MalformedRequest. */
export function malformed(request: MalformedRequest): InvalidArgumentError {
  return new InvalidArgumentError('malformed_request', `the request is not a valid protobuf message (${request.reason})`);
}

function reasonOf(error: unknown): string {
  return error instanceof Error && typeof error.message === 'string' ? error.message.slice(0, 200) : 'decode error';
}

/** The service definition with each request decoder made total: it never throws. */
export function guardedDefinition(definition: ServiceDefinition): ServiceDefinition {
  const guarded: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition) as Array<[string, MethodDefinition<unknown, unknown>]>) {
    guarded[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          return new MalformedRequest(reasonOf(error));
        }
      },
    };
  }
  return guarded;
}

/**
 * Sends a call's reply or status. Answering runs inside promise callbacks and stream listeners,
 * where a throw from grpc-js (it has thrown URIError on status details it could not encode) would
 * be an unhandled rejection or an uncaught exception: the process would exit. Here it is reported
 * and the call is left to its deadline or the client's cancel.
 */
export function answer(context: CallContext, call: FaultInfo, send: () => void): void {
  try {
    send();
  } catch (error) {
    const reason = error instanceof Error && typeof error.message === 'string' ? error.message : 'unknown';
    context.fault(new GrpcApiError('internal', `answering the call failed: ${reason}`), call);
  }
}

/** What every grpc-js call object offers, whatever its kind. */
interface AnyCall {
  request?: unknown;
  getPath(): string;
  getPeer(): string;
  emit(event: 'error', error: unknown): boolean;
}

type AnyHandler = (call: AnyCall, callback?: sendUnaryData<unknown>) => void;

/**
 * Wraps every method of an implementation: a MalformedRequest or a synchronous throw ends the call
 * with the status `context.fault` builds (through the callback, or the stream's 'error' for a
 * server stream).
 */
export function guardService(context: CallContext, implementation: Record<string, unknown>): UntypedServiceImplementation {
  const guarded: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const run = handler as AnyHandler;
    const entry: AnyHandler = (call, callback) => {
      try {
        if (call.request instanceof MalformedRequest) throw malformed(call.request);
        run(call, callback);
      } catch (error) {
        const info = { method: call.getPath(), peer: call.getPeer() };
        const status = context.fault(error, info);
        answer(context, info, () => (callback !== undefined ? callback(status) : call.emit('error', status)));
      }
    };
    guarded[name] = entry as UntypedServiceImplementation[string];
  }
  return guarded;
}
