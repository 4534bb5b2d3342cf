import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { firetower, FiretowerRefusal } from '@firetower/server';
import { test, expect } from './fixtures.js';

/**
 * A refusal the browser can read: `authenticate` refuses the token, the server closes with 4500
 * and the reason, the client asks its params provider once more, is refused again, and stops.
 * A page could not tell this from a network failure when the refusal was an HTTP 401 (1006).
 */
test('a page with a bad token shows the server’s reason and makes no further attempts', async ({ page }) => {
  let attempts = 0;
  const app = express();
  const ft = firetower({
    hooks: {
      authenticate: ({ query }) => {
        attempts++;
        if (query.get('token') !== 'good') throw new FiretowerRefusal('your session has ended: log in again');
        return { userId: 'u1' };
      },
    },
  });
  app.use(ft);
  app.get('/', (_req, res) => {
    res.send(`<!doctype html>
<p id="state"></p><p id="reason"></p><p id="asked"></p>
<script src="/firetower/client.js"></script>
<script>
  let asked = 0;
  const client = new Firetower('/ws', { params: () => ({ token: 'bad-' + ++asked }), reconnectDelayMaxMs: 200 });
  client.on('state', (change) => {
    document.getElementById('state').textContent = change.current;
    document.getElementById('asked').textContent = String(asked);
  });
  client.on('error', (error) => {
    if (error.closeCode) document.getElementById('reason').textContent = error.closeCode + ' ' + error.reason;
  });
</script>`);
  });
  const http: Server = app.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.locator('#reason')).toHaveText('4500 your session has ended: log in again');
    await expect(page.locator('#state')).toHaveText('closed');
    // The first attempt and one more with fresh credentials from the provider; then none.
    await expect(page.locator('#asked')).toHaveText('2');
    // `closed` is final: the client keeps no reconnect timer, so there is no third attempt.
    expect(attempts).toBe(2);
  } finally {
    await ft.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
});
