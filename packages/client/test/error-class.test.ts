/** The client's error class on the shared coded-error base, and the codes the client re-exports. */
import { FiretowerError, LocalCloseCode, ReportedCloseCode } from '@firetower/client';
import { FiretowerCodedError, LocalCloseCode as ProtocolLocalCloseCode } from '@firetower/protocol';
import { expect, test } from 'vitest';

test('FiretowerError extends FiretowerCodedError and keeps its name', () => {
  const error = new FiretowerError('closed', 'the client closed', { closeCode: 1000 });
  expect(error).toBeInstanceOf(FiretowerCodedError);
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('FiretowerError');
  expect(error.code).toBe('closed');
  expect(error.closeCode).toBe(1000);
  expect('cause' in error).toBe(false);
});

test('the client re-exports the protocol close codes', () => {
  expect(LocalCloseCode).toBe(ProtocolLocalCloseCode);
  expect(ReportedCloseCode.Abnormal).toBe(1006);
});
