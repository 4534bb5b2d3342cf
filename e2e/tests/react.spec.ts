import { test, expect } from './fixtures.js';
import { DemoProcess, freePortPair } from './demo-process.js';

/**
 * examples/react (bundled by `pnpm build` with esbuild): the page is rendered on the server with
 * the same <App> (useTopic makes no client there), hydrates, connects, and two tabs chat through
 * useTopic('/chat/react').
 */
test('React example: server-rendered, hydrated, and two tabs chat through useTopic', async ({ browser }) => {
  const port = await freePortPair();
  const server = DemoProcess.script('examples/react/server.mjs', { PORT: String(port) });
  try {
    await server.line(/React example on http:\/\/localhost:\d+/);
    const url = `http://127.0.0.1:${port}/`;

    // Server-side rendering: the room is in the HTML, idle (no client, no socket on the server).
    const html = await (await fetch(url)).text();
    expect(html).toContain('<small data-testid="state">idle</small>');
    expect(html).toContain('<h1>/chat/react');

    const context = await browser.newContext();
    const [ann, bob] = [await context.newPage(), await context.newPage()];
    const errors: string[] = [];
    for (const page of [ann, bob]) {
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
      await page.goto(url);
      await expect(page.getByTestId('state')).toHaveText('open');
    }

    await ann.getByLabel('message').fill('hello from a hook');
    await ann.getByRole('button', { name: 'Send' }).click();
    for (const page of [ann, bob]) await expect(page.getByTestId('messages').getByText('react: hello from a hook')).toBeVisible();
    // Hydration matched the server's HTML (React reports a mismatch as a console error).
    expect(errors).toEqual([]);
    await context.close();
  } finally {
    await server.stop();
  }
});
