/** The one table from the server's coded errors to gRPC statuses (`SERVER_CODE_MAPPING`). */
import { status } from '@grpc/grpc-js';
import { BrokerErrorCode, ServerErrorCode } from '@firetower/protocol';
import { BrokerLifecycleError, BrokerOverflowError, FiretowerRefusal, FiretowerServerError } from '@firetower/server';
import { expect, test } from 'vitest';
import { GrpcApiError, SERVER_CODE_MAPPING, toServiceError } from '../src/errors.js';

test('every server and broker code has a gRPC code', () => {
  const codes = [...Object.values(ServerErrorCode), ...Object.values(BrokerErrorCode), 'refused'].sort();
  expect(Object.keys(SERVER_CODE_MAPPING).sort()).toEqual(codes);
});

test.each([
  [new FiretowerServerError('invalid_topic', 'bad'), status.INVALID_ARGUMENT, 'invalid_topic'],
  [new FiretowerServerError('invalid_data', 'bad'), status.INVALID_ARGUMENT, 'invalid_data'],
  [new FiretowerServerError('closed', 'closed'), status.UNAVAILABLE, 'shutting_down'],
  [new FiretowerServerError('broker_failed', 'down'), status.UNAVAILABLE, 'unavailable'],
  [new BrokerOverflowError(), status.RESOURCE_EXHAUSTED, 'broker_overflow'],
  [new FiretowerServerError('no_history', 'none kept'), status.NOT_FOUND, 'no_history'],
  [new FiretowerServerError('history_unavailable', 'link down'), status.UNAVAILABLE, 'unavailable'],
  [new FiretowerServerError('no_presence', 'no presence'), status.NOT_FOUND, 'no_presence'],
  [new FiretowerServerError('invalid_target', 'empty userId'), status.INVALID_ARGUMENT, 'invalid_target'],
  [new FiretowerServerError('too_many_topics', 'many'), status.INTERNAL, 'internal'],
  [new BrokerLifecycleError('broker_closed', 'closed'), status.UNAVAILABLE, 'unavailable'],
  [new BrokerLifecycleError('broker_already_started', 'twice'), status.INTERNAL, 'internal'],
  [new FiretowerRefusal('no'), status.INTERNAL, 'internal'],
  [new GrpcApiError('unauthenticated', 'who'), status.UNAUTHENTICATED, 'unauthenticated'],
  [Object.assign(new Error('odd'), { code: 'toString' }), status.INTERNAL, 'internal'],
  ['a string', status.INTERNAL, 'internal'],
])('%s becomes %s', (error, grpcStatus, code) => {
  const answer = toServiceError(error);
  expect(answer.code).toBe(grpcStatus);
  expect(answer.metadata.get('firetower-error-code')).toEqual([code]);
});
