/**
 * Admission before the message is read: a grpc-js server interceptor checks the server state and
 * the caller's credentials as soon as the call's metadata (HTTP/2 headers) arrives, and asks
 * grpc-js to read the request only once the call is admitted.
 *
 * Checked in the handler instead, a unary call's whole message (up to the receive cap) is
 * buffered and deserialised first: an unauthenticated caller could make the server hold tens of
 * megabytes per call. Here a refused call is answered with its status while its message is
 * still unread: the stream stays paused, so HTTP/2 flow control keeps the bytes at the caller.
 */
import { ServerInterceptingCall, type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import type { CallContext } from './context.js';
import { GrpcApiError } from './errors.js';
import { answer } from './guard.js';
import { FIRETOWER_SERVICE } from './proto.js';

const GUARDED_PREFIX = `/${FIRETOWER_SERVICE}/`;

/** Refuses the call when the server is closing or the caller is not authorised. */
async function admit(context: CallContext, call: ServerInterceptingCallInterface, method: string, metadata: Metadata): Promise<void> {
  if (!context.isServing()) throw new GrpcApiError('shutting_down', 'the server is shutting down');
  await context.checkAuth({ metadata, method, peer: call.getPeer() });
}

/**
 * Health and reflection pass untouched (probes and tools carry no token); every
 * `firetower.v1.Firetower` method is admitted first.
 */
export function admissionInterceptor(context: CallContext): ServerInterceptor {
  return (descriptor, call) => {
    const method = descriptor.path;
    if (!method.startsWith(GUARDED_PREFIX)) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, forward) => {
            admit(context, call, method, metadata).then(
              () => forward(metadata),
              // Not forwarded: the handler never starts, so nothing asks grpc-js to read the message.
              (error: unknown) => {
                const info = { method, peer: call.getPeer() };
                answer(context, info, () => call.sendStatus(context.fault(error, info)));
              },
            );
          },
        });
      },
    });
  };
}
