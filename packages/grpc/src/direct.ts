/**
 * SendTo and SendToUser: one connection, or every connection of a user, anywhere in the cluster,
 * through `ft.sendTo` / `ft.sendToUser` (the HTTP API's `POST /api/send-to` and `/api/send-to-user`).
 */
import type { handleUnaryCall } from '@grpc/grpc-js';
import type { DirectResult } from '@firetower/server';
import { unary, type CallContext } from './context.js';
import { unavailableUnlessKnown } from './errors.js';
import type { SendReply, SendToRequest, SendToUserRequest } from './messages.js';
import { parseDataJson, validTarget, validTopic } from './validate.js';

/** Unset `data_json` (proto3 cannot tell it from "") is null, as an unset publish's data is. */
function dataOf(text: string, context: CallContext): unknown {
  return text.length === 0 ? null : parseDataJson(text, context.options);
}

async function sent(sending: Promise<DirectResult>): Promise<SendReply> {
  const result = await sending.catch((error: unknown) => {
    throw unavailableUnlessKnown(error, 'the send');
  });
  return { connections: result.connections, complete: result.complete };
}

export function sendToUserHandler(context: CallContext): handleUnaryCall<SendToUserRequest, SendReply> {
  return unary(context, async (request) => {
    // Every field is checked before anything is sent.
    const userId = validTarget(request.userId, 'user_id');
    const topic = validTopic(request.topic, context.options);
    const data = dataOf(request.dataJson, context);
    return sent(context.ft.sendToUser(userId, topic, data));
  });
}

export function sendToHandler(context: CallContext): handleUnaryCall<SendToRequest, SendReply> {
  return unary(context, async (request) => {
    const clientId = validTarget(request.clientId, 'client_id');
    const topic = validTopic(request.topic, context.options);
    const data = dataOf(request.dataJson, context);
    return sent(context.ft.sendTo(clientId, topic, data));
  });
}
