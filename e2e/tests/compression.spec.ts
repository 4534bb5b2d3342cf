import { expect } from '@playwright/test';
import { test } from './fixtures.js';

/**
 * Shared permessage-deflate in Chromium: the demo runs with `compression: true`, so the browser's
 * own WebSocket negotiates the extension (with server_no_context_takeover), and compressed
 * deliveries of every size arrive intact and in order, mixed with plain ones under the threshold.
 */
test('Chromium negotiates permessage-deflate and receives compressed deliveries intact, in order', async ({ chat, page }) => {
  await page.goto(`${chat.url}/config.json`);
  const wsUrl = chat.url.replace('http://', 'ws://') + '/ws';
  const extensions = await page.evaluate(
    (url) =>
      new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url);
        const received: unknown[] = [];
        (window as unknown as { received: unknown[] }).received = received;
        ws.onerror = () => reject(new Error('socket failed'));
        ws.onmessage = (event) => {
          const text = String(event.data);
          if (text === 'heartbeat') return;
          const frame = JSON.parse(text) as { type: string; data?: unknown };
          if (frame.type === 'ack') resolve(ws.extensions);
          // Only this test's messages (the demo also announces room counts on the topic).
          if (frame.type === 'publish' && typeof frame.data === 'object' && frame.data !== null && 'messages' in frame.data) received.push(frame.data);
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', topic: '/chat/world', id: 'sub' }));
      }),
    wsUrl,
  );
  expect(extensions).toContain('permessage-deflate');
  expect(extensions).toContain('server_no_context_takeover');

  const sent = Array.from({ length: 30 }, (_, n) => ({
    n,
    // From a few bytes (sent plain) to tens of KB of chat-like JSON (sent compressed).
    messages: Array.from({ length: n * n }, (_, i) => ({ from: `user-${i % 7}`, text: `message ${i} of batch ${n}: ünïcødé ✓ and more text` })),
  }));
  for (const data of sent) await chat.firetower.publish('/chat/world', data);
  await expect.poll(() => page.evaluate(() => (window as unknown as { received: unknown[] }).received.length)).toBe(sent.length);
  expect(await page.evaluate(() => (window as unknown as { received: unknown[] }).received)).toEqual(sent);
});
