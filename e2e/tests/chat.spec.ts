import { ChatPage } from './chat-page.js';
import { ADMIN_TOKEN, test, expect } from './fixtures.js';

test('two users chat in one room; a third in another room sees none of it', async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'world');
  const bob = await openUser(chat.url, 'bob', 'world');
  const cat = await openUser(chat.url, 'cat', 'news');

  const sent = await ann.send('hello bob');
  await expect(sent).toHaveAttribute('data-state', 'sent');
  await expect(sent.getByTestId('from')).toHaveText('ann');
  await expect(sent.locator('time')).toHaveText(/\d/);

  const received = bob.line('hello bob');
  await expect(received).toHaveCount(1);
  await expect(received).not.toHaveClass(/\bown\b/);
  await expect(received.getByTestId('from')).toHaveText('ann');
  await expect(received.locator('time')).toHaveText(/\d/);

  await bob.send('hi ann');
  await expect(ann.line('hi ann').getByTestId('from')).toHaveText('bob');
  await expect(ann.line('hello bob')).toHaveCount(1); // own echo not shown twice

  // cat's own message arrives in #news after everything said in #world: nothing else got there.
  await cat.send('anyone in news?');
  await expect(cat.chatLines).toHaveCount(1);
  await expect(cat.chatLines.first().getByTestId('text')).toHaveText('anyone in news?');
  await expect(ann.line('anyone in news?')).toHaveCount(0);
  await expect(bob.chatLines).toHaveCount(2);
});

test('online counts rise and fall as tabs join, switch and close', async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'world');
  await ann.expectCount(1);
  const bob = await openUser(chat.url, 'bob', 'world');
  await ann.expectCount(2);
  await bob.expectCount(2);
  const cat = await openUser(chat.url, 'cat', 'world');
  await ann.expectCount(3);
  await cat.expectCount(3);

  await bob.switchTo('news');
  await bob.expectCount(1);
  await ann.expectCount(2);
  await cat.expectCount(2);

  await cat.close();
  await ann.expectCount(1);

  await bob.switchTo('world');
  await ann.expectCount(2);
  await bob.expectCount(2);
});

test("a forbidden room shows the server's refusal and blocks sending", async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'world');
  await ann.createRoom('admin');
  await expect(ann.roomError).toBeVisible();
  await expect(ann.roomError).toHaveText('Cannot join #admin: #admin is reserved for moderators');
  await expect(ann.input).toBeDisabled();

  // Back to an open room: the error goes away and sending works again.
  await ann.switchTo('world');
  await expect(ann.roomError).toBeHidden();
  await expect(await ann.send('still here')).toHaveAttribute('data-state', 'sent');
});

test("the message hook's refusals reach the page, with a retry", async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'world');
  const bob = await openUser(chat.url, 'bob', 'world');

  const tooLong = await ann.send('x'.repeat(501));
  await expect(tooLong).toHaveAttribute('data-state', 'failed');
  await expect(tooLong.getByTestId('failure')).toHaveText('Not sent: Messages may be at most 500 characters');
  await expect(tooLong.getByTestId('retry')).toBeVisible();

  // Flooding: the rate limit (5 messages per 5 s) refuses the sixth message in a row.
  for (let i = 1; i <= 5; i += 1) await expect(await ann.send(`flood ${i}`)).toHaveAttribute('data-state', 'sent');
  const refused = await ann.send('flood 6');
  await expect(refused).toHaveAttribute('data-state', 'failed');
  await expect(refused.getByTestId('failure')).toContainText('Slow down');
  await expect(bob.line('flood 5')).toHaveCount(1);
  await expect(bob.line('flood 6')).toHaveCount(0);

  // Once the window has moved on, Retry delivers the same message (polls the condition, no sleep).
  await expect(async () => {
    await refused.getByTestId('retry').click({ timeout: 1000 });
    await expect(refused).toHaveAttribute('data-state', 'sent', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(bob.line('flood 6')).toHaveCount(1);
});

test('HTML in messages and nicknames shows as text', async ({ chat, openUser }) => {
  const mallory = await openUser(chat.url, '<i>mallory</i>', 'world');
  const ann = await openUser(chat.url, 'ann', 'world');
  const payload = '<img src=x onerror="window.__pwned=1"><b>bold</b> & <script>window.__pwned=2</script>';

  await mallory.send(payload);
  const line = ann.line(payload);
  await expect(line.getByTestId('text')).toHaveText(payload);
  await expect(line.getByTestId('from')).toHaveText('<i>mallory</i>');
  for (const user of [ann, mallory]) {
    await expect(user.messages.locator('img, b, i, script')).toHaveCount(0);
    expect(await user.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  }
});

test('a first visit asks for a nickname; a new room and the nickname survive a reload', async ({ chat, browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(chat.url);
    await page.getByLabel('Nickname').fill('dora');
    await page.getByRole('button', { name: 'Join' }).click();
    const dora = new ChatPage(page, context);
    await dora.expectOnline('world');
    await expect(page.getByTestId('me')).toHaveText('dora');

    await dora.createRoom('Book Club', 'book-club');
    await dora.expectOnline('book-club');
    await dora.expectCount(1);
    await expect(page.getByTestId('room-list').getByRole('button', { name: '#book-club' })).toHaveAttribute('aria-current', 'true');

    await page.reload();
    await dora.expectOnline('book-club');
    await expect(page.getByTestId('me')).toHaveText('dora');
    await expect(page.getByTestId('join')).toBeHidden();
  } finally {
    await context.close();
  }
});

test('a message pushed through the admin API shows up in the room', async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'world');
  const push = (token: string) =>
    fetch(`${chat.url}/firetower/api/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: '/chat/world', data: { type: 'chat', from: 'moderator', text: 'Welcome to #world!' } }),
    });

  expect((await push('wrong-token')).status).toBe(401);
  expect((await push(ADMIN_TOKEN)).status).toBe(202);
  const line = ann.line('Welcome to #world!');
  await expect(line.getByTestId('from')).toHaveText('moderator');
  await expect(line.locator('time')).toHaveText(/\d/);
});
