import { test, expect } from './fixtures.js';

test('scrollback: the last messages of a room appear when you join it, and again after a reload', async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'scroll');
  for (const text of ['first', 'second', 'third']) await ann.send(text);

  const bob = await openUser(chat.url, 'bob', 'scroll');
  for (const text of ['first', 'second', 'third']) await expect(bob.line(text)).toHaveCount(1);
  await expect(bob.chatLines).toHaveText([/first/, /second/, /third/]);

  await bob.page.reload();
  await bob.expectOnline('scroll');
  await expect(bob.chatLines).toHaveText([/first/, /second/, /third/]);
});

test('a tab taken offline gets the messages sent meanwhile when it comes back, once each', async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'drop');
  const bob = await openUser(chat.url, 'bob', 'drop');
  await ann.send('before');
  await expect(bob.line('before')).toHaveCount(1);

  await bob.context.setOffline(true);
  await expect(bob.connection).not.toHaveText('online');
  const missed = ['while away 1', 'while away 2', 'while away 3'];
  for (const text of missed) await ann.send(text);

  await bob.context.setOffline(false);
  await expect(bob.connection).toHaveText('online', { timeout: 15_000 });
  for (const text of missed) await expect(bob.line(text)).toHaveCount(1);
  await ann.send('after');
  await expect(bob.line('after')).toHaveCount(1);
  // Nothing twice: every line of the room exactly once, in order.
  await expect(bob.chatLines).toHaveText([/before/, /while away 1/, /while away 2/, /while away 3/, /after/]);
});
