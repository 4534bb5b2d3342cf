/** History: a topic's kept publications through `ft.history`, the HTTP API's `GET /api/history`. */
import type { handleUnaryCall } from '@grpc/grpc-js';
import { MAX_EPOCH_LENGTH, MAX_SINCE_LIMIT } from '@firetower/protocol';
import type { HistoryOptions } from '@firetower/server';
import { unary, type CallContext } from './context.js';
import { GrpcApiError, InvalidArgumentError, unavailableUnlessKnown } from './errors.js';
import type { HistoryReply, HistoryRequest } from './messages.js';
import type { ResolvedOptions } from './options.js';
import { validTopic } from './validate.js';

export interface ValidHistory {
  topic: string;
  options: HistoryOptions;
}

/**
 * The request as `ft.history` arguments. proto3 cannot tell an unset number from 0, so `limit` 0
 * is the default (the topic's size) and a position is set when either half is: a position the
 * server gave out has an epoch unless it is the start of a stream not begun (0 and "").
 */
export function validHistory(request: HistoryRequest, limits: Pick<ResolvedOptions, 'maxTopicLength'>): ValidHistory {
  const topic = validTopic(request.topic, limits);
  const options: HistoryOptions = {};
  if (request.limit > MAX_SINCE_LIMIT) throw new InvalidArgumentError('invalid_field', `limit is more than ${MAX_SINCE_LIMIT}`);
  if (request.limit > 0) options.limit = request.limit;
  const { sinceOffset, sinceEpoch } = request;
  // 64-bit integers arrive as numbers (the loader's longs: Number): above 2^53 they are already rounded.
  if (!Number.isSafeInteger(sinceOffset)) throw new InvalidArgumentError('invalid_field', 'since_offset is above 2^53 (no offset is)');
  if (sinceEpoch.length > MAX_EPOCH_LENGTH) throw new InvalidArgumentError('invalid_field', `since_epoch is longer than ${MAX_EPOCH_LENGTH} characters`);
  if (sinceEpoch.length > 0) options.since = { offset: sinceOffset, epoch: sinceEpoch };
  else if (sinceOffset > 0) throw new InvalidArgumentError('invalid_field', 'since_offset needs since_epoch (the epoch of the position)');
  return { topic, options };
}

export function historyHandler(context: CallContext): handleUnaryCall<HistoryRequest, HistoryReply> {
  return unary(context, async (request) => {
    const { topic, options } = validHistory(request, context.options);
    const { ft } = context;
    if (ft.history === undefined) throw new GrpcApiError('no_history', 'this server keeps no history');
    const page = await ft.history(topic, options).catch((error: unknown) => {
      throw unavailableUnlessKnown(error, 'the history read');
    });
    return {
      // Stored as JSON text and parsed by ft.history; a value parsed from JSON always stringifies.
      publications: page.publications.map(({ offset, data }) => ({ offset, dataJson: JSON.stringify(data) ?? 'null' })),
      offset: page.offset,
      epoch: page.epoch,
    };
  });
}
