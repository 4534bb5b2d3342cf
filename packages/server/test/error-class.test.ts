/** The server's error classes on the shared coded-error base; the old name stays an alias. */
import { BrokerOverflowError, FiretowerError, FiretowerRefusal, FiretowerServerError } from '@firetower/server';
import { FiretowerCodedError } from '@firetower/protocol';
import { expect, test } from 'vitest';

test('FiretowerServerError is the old FiretowerError', () => {
  const error = new FiretowerServerError('too_many_topics', 'too many');
  expect(FiretowerError).toBe(FiretowerServerError);
  expect(error).toBeInstanceOf(FiretowerError);
  expect(error).toBeInstanceOf(FiretowerCodedError);
  expect(error.name).toBe('FiretowerServerError');
  expect(error.code).toBe('too_many_topics');
});

test('refusals and broker overflows are coded errors too', () => {
  const refusal = new FiretowerRefusal('admins only', { status: 403 });
  expect(refusal).toBeInstanceOf(FiretowerCodedError);
  expect([refusal.code, refusal.status, refusal.name]).toEqual(['refused', 403, 'FiretowerRefusal']);
  const overflow = new BrokerOverflowError();
  expect(overflow).toBeInstanceOf(FiretowerCodedError);
  expect([overflow.code, overflow.message, overflow.name]).toEqual(['broker_overflow', 'broker buffer is full', 'BrokerOverflowError']);
});
