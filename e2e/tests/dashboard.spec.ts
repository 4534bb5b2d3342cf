import { createChatServer, startChatCluster } from '@firetower/demo-chat';
import type { ChatCluster, ChatServer } from '@firetower/demo-chat';
import type { Locator, Page } from '@playwright/test';
import { test as base, expect } from './fixtures.js';

/**
 * The runtime dashboard (`/firetower/dashboard`) in Chromium, against the chat demo with the
 * admin API enabled: real browsers join rooms through Firetower and the dashboard, polling its
 * feed every second, follows the counts without a reload.
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

test('the dashboard follows a topic and its count as clients subscribe and leave', async ({ adminChat, openUser, page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openDashboard(page, adminChat.url);
  await expect(page.locator('#topics-empty')).toBeVisible();

  const ann = await openUser(adminChat.url, 'ann', 'world');
  await expect(topicCount(page, '/chat/world')).toHaveText('1');
  const bob = await openUser(adminChat.url, 'bob', 'world');
  await expect(topicCount(page, '/chat/world')).toHaveText('2');
  await openUser(adminChat.url, 'cara', 'news');
  await expect(topicCount(page, '/chat/news')).toHaveText('1');
  // Sorted by subscribers: the busier room comes first.
  await expect(page.locator('#topics-body tr').first()).toHaveAttribute('data-topic', '/chat/world');
  await expect(page.locator('#connections')).toHaveText('3');

  // A forbidden room is refused by beforeSubscribe: it shows among the recent issues.
  await bob.createRoom('admin');
  await expect(bob.roomError).toBeVisible();
  await expect(page.locator('#issues li.refusal').first()).toContainText('beforeSubscribe');
  await expect(page.locator('#issues li.refusal').first()).toContainText('/chat/admin');

  await ann.send('hello, dashboard');
  await bob.switchTo('world');
  await expect(topicCount(page, '/chat/world')).toHaveText('2');
  await expect(page.locator('#totals')).toContainText(/[1-9]\d* refusals?/);
  // The chart has drawn at least two samples per line.
  await expect.poll(async () => (await page.locator('#line-out').getAttribute('points'))?.split(' ').length ?? 0).toBeGreaterThan(1);

  const path = testInfo.outputPath('dashboard.png');
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('dashboard', { path, contentType: 'image/png' });

  await bob.close();
  await expect(topicCount(page, '/chat/world')).toHaveText('1');
  await expect(page.locator('#connections')).toHaveText('2');
  expect(pageErrors).toEqual([]);
});

test('in a cluster the dashboard lists both nodes and cluster-wide counts', async ({ adminCluster, openUser, page }, testInfo) => {
  const [a, b] = adminCluster.nodes;
  await openDashboard(page, a.url);
  await openUser(a.url, 'ann', 'world');
  await openUser(b.url, 'bob', 'world');
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
});

test('the dashboard and its feed refuse a wrong token', async ({ adminChat, page }) => {
  const response = await page.goto(`${adminChat.url}/firetower/dashboard?token=wrong`);
  expect(response?.status()).toBe(401);
  expect(await response?.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  const feed = await page.request.get(`${adminChat.url}/firetower/api/stats?token=${TOKEN}`);
  expect(feed.status()).toBe(401);
});
