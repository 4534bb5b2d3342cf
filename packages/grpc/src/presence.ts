/** GetPresence: who is on a topic with presence through `ft.presence`, the HTTP API's `GET /api/presence`. */
import type { handleUnaryCall } from '@grpc/grpc-js';
import { unary, type CallContext } from './context.js';
import { GrpcApiError, unavailableUnlessKnown } from './errors.js';
import type { GetPresenceReply, GetPresenceRequest } from './messages.js';
import { validTopic } from './validate.js';

export function getPresenceHandler(context: CallContext): handleUnaryCall<GetPresenceRequest, GetPresenceReply> {
  return unary(context, async (request) => {
    const topic = validTopic(request.topic, context.options);
    const { ft } = context;
    if (ft.presence === undefined) throw new GrpcApiError('no_presence', 'this server has no presence topics');
    const list = await ft.presence(topic).catch((error: unknown) => {
      throw unavailableUnlessKnown(error, 'the presence read');
    });
    return {
      // `info` came from JSON text (the broker keeps it so): it always stringifies.
      members: list.members.map(({ id, info, connections }) => ({ id, infoJson: JSON.stringify(info) ?? 'null', connections: connections ?? 0 })),
      total: list.total,
      truncated: list.truncated,
    };
  });
}
