import { test, expect } from './fixtures.js';

/** Screenshots of a busy chat page, kept as test artifacts (test-results/, gitignored). */
const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

test('screenshots of the chat page at desktop and phone widths', async ({ chat, openUser }, testInfo) => {
  const bob = await openUser(chat.url, 'bob', 'world');
  const ann = await openUser(chat.url, 'ann', 'world');
  await bob.send('Hi! Anyone here?');
  await ann.send('Hello bob, this message goes through Firetower, rendered as text: <b>not bold</b>');
  await bob.send('Nice. Counts update live too.');
  const failed = await ann.send('This message is far too long. '.repeat(17).trim());
  await expect(failed).toHaveAttribute('data-state', 'failed');
  await ann.expectCount(2);

  for (const viewport of viewports) {
    await ann.page.setViewportSize({ width: viewport.width, height: viewport.height });
    // Nothing may overflow sideways at this width.
    const overflow = await ann.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const path = testInfo.outputPath(`chat-${viewport.name}.png`);
    await ann.page.screenshot({ path });
    await testInfo.attach(`chat-${viewport.name}`, { path, contentType: 'image/png' });
  }
});
