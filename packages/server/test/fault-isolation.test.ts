import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, FiretowerError, type Tower } from '@firetower/server';
import { waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join, subscribed } = useServers();

describe('fault isolation: one connection cannot take down another', () => {
  it('an unexpected exception closes only that connection with 1011, reported with its id', async () => {
    const errors: Array<{ error: Error; clientId: string | undefined }> = [];
    const server = await start({
      hooks: {
        // An app bug the tower's own error handling does not expect: the decision object throws
        // when read, after the hook itself returned.
        beforeSubscribe: (_tower, topics) =>
          topics[0] === '/boom'
            ? {
                get refuse(): Record<string, string> {
                  throw new Error('decision bug');
                },
              }
            : undefined,
        onError: (error, tower?: Tower) => void errors.push({ error, clientId: tower?.clientId }),
      },
    });
    const bystander = await subscribed(server, ['/fine']);
    const victim = await join(server);
    const clientId = await victimId(server, victim);
    victim.send({ type: 'subscribe', topic: '/boom', id: 'b' });
    expect(await victim.closed).toMatchObject({ code: CloseCode.InternalError, reason: 'internal error' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.clientId).toBe(clientId);
    expect(errors[0]!.error).toBeInstanceOf(FiretowerError);
    expect((errors[0]!.error as FiretowerError).code).toBe('internal');
    expect(server.ft.stats().errorsTotal).toBe(1);
    expect(server.ft.recentIssues().at(-1)).toMatchObject({ kind: 'error', source: 'internal', clientId });
    // Everyone else carries on, and new connections are welcome.
    await server.ft.publish('/fine', 'still here');
    expect((await bystander.nextDelivery('/fine')).data).toBe('still here');
    const newcomer = await subscribed(server, ['/fine']);
    await server.ft.publish('/fine', 2);
    expect((await newcomer.nextDelivery('/fine')).data).toBe(2);
  });

  it('replies go out in the order the frames came, with slow hooks, invalid frames and broker acks mixed', async () => {
    const server = await start({
      hooks: {
        onMessage: async (_tower, message) => {
          if (message.topic === '/slow') await new Promise((resolve) => setImmediate(resolve));
        },
      },
    });
    const a = await join(server);
    const frames = [
      { type: 'publish', topic: '/a', data: 1, id: '1' },
      { type: 'publish', topic: 'bad topic', data: 1, id: '2' },
      { type: 'subscribe', topic: '/x', id: '3' },
      { type: 'publish', topic: '/slow', data: 1, id: '4' },
      { type: 'publish', topic: '/a', data: 2, id: '5' },
      { type: 'nonsense', id: '6' },
      { type: 'unsubscribe', topic: '/x', id: '7' },
      { type: 'publish', topic: '/a', data: 3, id: '8' },
    ];
    for (const frame of frames) a.send(frame);
    await waitFor(() => a.received.filter((f) => f.type === 'ack' || f.type === 'error').length === frames.length, 5_000);
    const replies = a.received.filter((f) => f.type === 'ack' || f.type === 'error');
    expect(replies.map((f) => `${f.id}:${f.type}`)).toEqual(['1:ack', '2:error', '3:ack', '4:ack', '5:ack', '6:error', '7:ack', '8:ack']);
  });

  it("client data the server cannot serialise again is the client's error, not an internal one", async () => {
    // Only reachable with the depth bound raised: JSON.stringify overflows where JSON.parse did not.
    const server = await start({ limits: { maxJsonDepth: 1_000_000, maxFrameBytes: 1024 * 1024 } });
    const a = await join(server);
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    a.send(`{"type":"publish","topic":"/a","id":"d","data":${deep}}`);
    expect(await a.next((f) => f.id === 'd')).toMatchObject({ type: 'error', code: ErrorCode.InvalidField });
    expect(server.ft.stats().errorsTotal).toBe(0);
    expect(await a.request({ type: 'subscribe', topic: '/after' })).toMatchObject({ type: 'ack' });
  });
});

/** The server-side clientId of a connection (from the server's view of its only new tower). */
async function victimId(server: Awaited<ReturnType<typeof start>>, client: Awaited<ReturnType<typeof join>>): Promise<string> {
  expect(await client.request({ type: 'subscribe', topic: '/whoami' })).toMatchObject({ type: 'ack' });
  const towers = [...server.ft.towers()].filter((tower) => tower.topics.has('/whoami'));
  expect(towers).toHaveLength(1);
  return towers[0]!.clientId;
}
