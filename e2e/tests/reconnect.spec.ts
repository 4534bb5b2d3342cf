import { createChatServer } from '@firetower/demo-chat';
import type { ChatServer } from '@firetower/demo-chat';
import { test, expect } from './fixtures.js';

test('the server restarts on the same port: both tabs reconnect into the same room and chat again', async ({ openUser }) => {
  let server: ChatServer = await createChatServer({ port: 0 });
  const { port, url } = server;
  try {
    const ann = await openUser(url, 'ann', 'lobby');
    const bob = await openUser(url, 'bob', 'lobby');
    await ann.expectCount(2);
    await ann.send('before the restart');
    await expect(bob.line('before the restart')).toHaveCount(1);

    // Graceful shutdown tells the clients to come back; nothing listens until the new server starts.
    await server.close({ maxRetryAfterMs: 100 });
    await expect(ann.connection).toHaveText('reconnecting');
    await expect(bob.connection).toHaveText('reconnecting');

    server = await createChatServer({ port });
    for (const user of [ann, bob]) {
      await expect(user.connection).toHaveText('online', { timeout: 15_000 });
      await expect(user.roomTitle).toHaveText('#lobby');
      await user.expectCount(2);
    }

    await ann.send('after the restart');
    await expect(bob.line('after the restart')).toHaveCount(1);
    await bob.send('welcome back');
    await expect(ann.line('welcome back')).toHaveCount(1);
  } finally {
    await server.close({ maxRetryAfterMs: 0 });
  }
});
