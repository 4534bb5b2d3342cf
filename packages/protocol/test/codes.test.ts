/** The code families: ranges that carry the retry policy, and the coded-error base. */
import { expect, test } from 'vitest';
import {
  ClientErrorCode,
  CloseCode,
  FiretowerCodedError,
  isTerminalCloseCode,
  LocalCloseCode,
  ReportedCloseCode,
  ServerErrorCode,
  TopicServiceErrorCode,
  TopicServiceErrorStatus,
  isTopicServiceErrorCode,
  UpgradeRefusalCode,
  UpgradeRefusalStatus,
} from '../src/index.js';

test('close codes: the range says whether to retry', () => {
  for (const code of Object.values(CloseCode)) expect(isTerminalCloseCode(code)).toBe(code >= 4500);
  for (const code of [...Object.values(LocalCloseCode), ...Object.values(ReportedCloseCode)]) expect(isTerminalCloseCode(code)).toBe(false);
  for (const code of Object.values(LocalCloseCode)) expect(code >= 3000 && code <= 3999).toBe(true);
});

test('no two families share a close code', () => {
  const all = [...Object.values(CloseCode), ...Object.values(LocalCloseCode), ...Object.values(ReportedCloseCode)];
  expect(new Set(all).size).toBe(all.length);
});

test('every upgrade refusal has its HTTP status', () => {
  expect(Object.keys(UpgradeRefusalStatus).sort()).toEqual(Object.values(UpgradeRefusalCode).sort());
  for (const status of Object.values(UpgradeRefusalStatus)) expect(status >= 400 && status <= 599).toBe(true);
});

test('FiretowerCodedError is an Error with a code and an optional cause', () => {
  const cause = new Error('below');
  const error = new FiretowerCodedError(ServerErrorCode.HookFailed, 'hook threw', { cause });
  expect(error).toBeInstanceOf(Error);
  expect(error.code).toBe('hook_failed');
  expect(error.message).toBe('hook threw');
  expect(error.cause).toBe(cause);
  expect('cause' in new FiretowerCodedError(ClientErrorCode.Timeout, 'late')).toBe(false);
});

test('topic-service codes: each has its status, and a reply code is checked against them', () => {
  expect(Object.keys(TopicServiceErrorStatus).sort()).toEqual(Object.values(TopicServiceErrorCode).sort());
  expect(isTopicServiceErrorCode('poll_superseded')).toBe(true);
  expect(isTopicServiceErrorCode('toString')).toBe(false);
  expect(isTopicServiceErrorCode(409)).toBe(false);
});
