/**
 * The client refuses a topic the protocol refuses (leading/trailing whitespace of any kind, commas,
 * non-ASCII, control characters) with a clear error, and never trims or rewrites it: nothing is sent.
 * Arguments of the wrong type (plain JavaScript callers) fail the same way instead of throwing.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { FiretowerError } from '@firetower/client';
import { closeClients, startTestServer, testClient, type TestServer } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => closeClients());
afterAll(async () => server.close());

const WHITESPACE = [' /ws/a', '/ws/a ', '\t/ws/a', '/ws/a\t', '\u00a0/ws/a', '/ws/a\u00a0', '\ufeff/ws/a', '/ws/a\u2028', '/ws/a\n', '\u3000/ws/a'];
const OTHER = ['/ws/a,/ws/b', '/ws/é', '/ws/\u0000', '/ws/a b', ''];

test.each([...WHITESPACE, ...OTHER])('subscribe(%j) fails with invalid, naming the exact topic, and sends nothing', async (topic) => {
  const client = testClient(server.wsUrl);
  await client.ready(5_000);
  const errors: FiretowerError[] = [];
  client.on('error', (error) => errors.push(error));
  const handle = client.subscribe(topic);
  const error = await handle.ready.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FiretowerError);
  expect(error).toMatchObject({ code: 'invalid' });
  if (topic !== '') expect((error as FiretowerError).topic).toBe(topic);
  expect(handle.state).toBe('failed');
  expect(errors).toEqual([error]);
  expect(client.topics).toEqual([]);
  // A good topic on the same connection goes through, and the server holds only that one.
  await client.subscribe('/ws/a').ready;
  expect([...(server.ft.getTower(client.clientId)?.topics ?? [])]).toEqual(['/ws/a']);
});

test.each([...WHITESPACE, ...OTHER])('publish(%j) rejects with invalid and sends nothing', async (topic) => {
  const client = testClient(server.wsUrl);
  const listener = testClient(server.wsUrl);
  const heard: string[] = [];
  listener.on('message', ({ topic: t }) => heard.push(t));
  await listener.subscribe('/ws/a').ready;
  await client.ready(5_000);
  await expect(client.publish(topic, 1)).rejects.toMatchObject({ code: 'invalid' });
  await client.publish('/ws/a', 'marker');
  await expect.poll(() => heard, { timeout: 5_000 }).toEqual(['/ws/a']);
});

test('one bad topic in a list fails the whole handle; the good ones are not sent either', async () => {
  const client = testClient(server.wsUrl);
  await client.ready(5_000);
  const handle = client.subscribe(['/ws/good', '/ws/bad ']);
  await expect(handle.ready).rejects.toMatchObject({ code: 'invalid', topic: '/ws/bad ' });
  await client.subscribe('/ws/other').ready;
  expect([...(server.ft.getTower(client.clientId)?.topics ?? [])]).toEqual(['/ws/other']);
});

test('arguments of the wrong type fail with invalid instead of throwing', async () => {
  const client = testClient(server.wsUrl);
  await client.ready(5_000);
  for (const bad of [42, null, {}, { length: 1 }, [7], Symbol('t')]) {
    let handle: ReturnType<typeof client.subscribe> | undefined;
    expect(() => {
      handle = client.subscribe(bad as unknown as string);
    }).not.toThrow();
    await expect(handle!.ready).rejects.toMatchObject({ code: 'invalid' });
    await expect(client.publish(bad as unknown as string, 1)).rejects.toMatchObject({ code: 'invalid' });
  }
  // Options that are not an object are no options.
  for (const options of [null, 5, 'x', { timeoutMs: -1 }, { timeoutMs: Number.NaN }]) {
    await client.subscribe('/ws/options').ready;
    await expect(client.publish('/ws/options', 1, options as never)).resolves.toMatchObject({ duplicate: false });
  }
});
