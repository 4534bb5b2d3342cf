import { createChatServer, startChatCluster } from '@firetower/demo-chat';
import type { ChatCluster, ChatServer } from '@firetower/demo-chat';
import type { Browser, Locator, Page } from '@playwright/test';
import { test as base, expect } from './fixtures.js';

/**
 * The runtime dashboard (`/firetower/dashboard`) in Chromium, against the chat demo's server with
 * the admin API enabled: WebSocket clients in another browser page subscribe and leave, and the
 * dashboard, polling its feed every second, follows the counts without a reload.
 */
const TOKEN = 'e2e-dashboard-token';

const test = base.extend<{ adminChat: ChatServer; adminCluster: ChatCluster }>({
  adminChat: async ({}, use) => {
    const chat = await createChatServer({ port: 0, adminToken: TOKEN });
    await use(chat);
    await chat.close({ maxRetryAfterMs: 0 });
  },
  adminCluster: async ({}, use) => {
    const cluster = await startChatCluster({ port: 0, topicPort: 0, node: { adminToken: TOKEN } });
    await use(cluster);
    await cluster.close();
  },
});

async function openDashboard(page: Page, baseUrl: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 860 });
  const response = await page.goto(`${baseUrl}/firetower/dashboard?token=${TOKEN}`);
  expect(response?.status()).toBe(200);
  await expect(page.locator('#status')).toContainText('live');
}

function topicCount(page: Page, topic: string): Locator {
  return page.locator(`#topics-body tr[data-topic="${topic}"] td.count`);
}

/**
 * WebSocket clients living in a Chromium page of their own on the server's origin, speaking the
 * wire protocol directly: each `join` resolves when the server has acked the subscribe.
 */
class BrowserClients {
  private constructor(private readonly page: Page) {}

  static async open(browser: Browser, baseUrl: string): Promise<BrowserClients> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/firetower/client.js`);
    return new BrowserClients(page);
  }

  /** Connects `name` and subscribes it; resolves with the server's ack (or error) frame. */
  join(wsUrl: string, name: string, topics: string[]): Promise<{ type: string; refused?: unknown[] }> {
    return this.page.evaluate(
      ({ wsUrl, name, topics }) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(wsUrl);
          const sockets = ((window as unknown as { sockets?: Record<string, WebSocket> }).sockets ??= {});
          sockets[name] = ws;
          ws.onerror = () => reject(new Error(`socket ${name} failed`));
          ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', topic: topics, id: `sub-${name}` }));
          ws.onmessage = (event) => {
            const frame = JSON.parse(String(event.data));
            if (frame.id === `sub-${name}`) resolve(frame);
          };
        }),
      { wsUrl, name, topics },
    ) as Promise<{ type: string; refused?: unknown[] }>;
  }

  async leave(name: string): Promise<void> {
    await this.page.evaluate((name) => (window as unknown as { sockets: Record<string, WebSocket> }).sockets[name]!.close(), name);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

function wsUrlOf(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}/ws`;
}

async function publish(baseUrl: string, topic: string, data: unknown): Promise<void> {
  const res = await fetch(`${baseUrl}/firetower/api/publish`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ topic, data }),
  });
  expect(res.status).toBe(202);
}

test('the dashboard follows a topic and its count as clients subscribe and leave', async ({ adminChat, browser, page }, testInfo) => {
  // Many steps, each waiting for the next once-a-second poll of the feed: allow 3× the timeout.
  test.slow();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDashboard(page, adminChat.url);
  await expect(page.locator('#topics-empty')).toBeVisible();

  const clients = await BrowserClients.open(browser, adminChat.url);
  const ws = wsUrlOf(adminChat.url);
  await clients.join(ws, 'ann', ['/chat/world']);
  await expect(topicCount(page, '/chat/world')).toHaveText('1');
  await clients.join(ws, 'bob', ['/chat/world']);
  await expect(topicCount(page, '/chat/world')).toHaveText('2');
  await clients.join(ws, 'cara', ['/chat/news', '/chat/world']);
  await expect(topicCount(page, '/chat/world')).toHaveText('3');
  await expect(topicCount(page, '/chat/news')).toHaveText('1');
  // Sorted by subscribers: the busier room comes first.
  await expect(page.locator('#topics-body tr').first()).toHaveAttribute('data-topic', '/chat/world');
  await expect(page.locator('#connections')).toHaveText('3');

  // A reserved room is refused by the demo's beforeSubscribe: it shows among the recent issues.
  const refused = await clients.join(ws, 'dan', ['/chat/admin']);
  expect(refused.refused).toHaveLength(1);
  await expect(page.locator('#issues li.refusal').first()).toContainText('beforeSubscribe');
  await expect(page.locator('#issues li.refusal').first()).toContainText('/chat/admin');
  await expect(page.locator('#totals')).toContainText(/[1-9]\d* refusals?/);

  // Traffic: messages out per second rise above zero and the chart draws.
  await publish(adminChat.url, '/chat/world', { type: 'chat', from: 'ops', text: 'hello from the push API' });
  await publish(adminChat.url, '/chat/world', { type: 'chat', from: 'ops', text: 'and again' });
  await expect.poll(async () => (await page.locator('#line-out').getAttribute('points'))?.split(' ').length ?? 0).toBeGreaterThan(2);

  const path = testInfo.outputPath('dashboard.png');
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('dashboard', { path, contentType: 'image/png' });

  await clients.leave('bob');
  await expect(topicCount(page, '/chat/world')).toHaveText('2');
  await expect(page.locator('#connections')).toHaveText('3');
  await clients.leave('cara');
  await expect(page.locator('#topics-body tr[data-topic="/chat/news"]')).toHaveCount(0);
  await expect(topicCount(page, '/chat/world')).toHaveText('1');
  await clients.close();
  expect(pageErrors).toEqual([]);
});

test('in a cluster the dashboard lists both nodes and cluster-wide counts', async ({ adminCluster, browser, page }, testInfo) => {
  // Three servers and three browser contexts on a shared two-core machine: allow 3× the timeout.
  test.slow();
  const [a, b] = adminCluster.nodes;
  await openDashboard(page, a.url);
  const onA = await BrowserClients.open(browser, a.url);
  const onB = await BrowserClients.open(browser, b.url);
  await onA.join(wsUrlOf(a.url), 'ann', ['/chat/world']);
  await onB.join(wsUrlOf(b.url), 'bob', ['/chat/world']);
  // bob is connected to node B: node A's dashboard still counts him.
  await expect(topicCount(page, '/chat/world')).toHaveText('2');
  await expect(page.locator('#nodes-card')).toBeVisible();
  await expect(page.locator('#nodes-body tr')).toHaveCount(2);
  await expect(page.locator('#nodes-body')).toContainText(a.firetower.nodeId);
  await expect(page.locator('#nodes-body')).toContainText(b.firetower.nodeId);
  await expect(page.locator('#broker')).toContainText('topic-service');
  const path = testInfo.outputPath('dashboard-cluster.png');
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('dashboard-cluster', { path, contentType: 'image/png' });
  await onA.close();
  await onB.close();
});

test('the dashboard and its feed refuse a wrong token', async ({ adminChat, page }) => {
  const response = await page.goto(`${adminChat.url}/firetower/dashboard?token=wrong`);
  expect(response?.status()).toBe(401);
  expect(await response?.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  const feed = await page.request.get(`${adminChat.url}/firetower/api/stats?token=${TOKEN}`);
  expect(feed.status()).toBe(401);
});

test('the dashboard takes the token out of the address bar and history, and still works after a reload', async ({ adminChat, page }) => {
  await openDashboard(page, adminChat.url);
  await expect.poll(() => new URL(page.url()).searchParams.has('token')).toBe(false);
  const reloaded = await page.reload();
  expect(reloaded?.status()).toBe(200);
  await expect(page.locator('#status')).toContainText('live');
  expect(page.url()).not.toContain(TOKEN);
});
