import { test as base } from '@playwright/test';
import { createChatServer, startChatCluster } from '@firetower/demo-chat';
import type { ChatCluster, ChatServer } from '@firetower/demo-chat';
import { ChatPage } from './chat-page.js';

/** The `chat` fixture's admin API token. */
export const ADMIN_TOKEN = 'e2e-admin-token';

/**
 * `chat`: a chat node of its own per test (demo-chat/dist, 127.0.0.1, port 0).
 * `cluster`: two nodes and a topic service of their own per test.
 * `openUser`: a new user's tab (own browser context), closed after the test.
 * All are closed after the test, so tests never share state or ports.
 */
export const test = base.extend<{
  chat: ChatServer;
  cluster: ChatCluster;
  openUser: (baseUrl: string, name: string, room?: string) => Promise<ChatPage>;
}>({
  openUser: async ({ browser }, use) => {
    const opened: ChatPage[] = [];
    await use(async (baseUrl, name, room) => {
      const user = await ChatPage.open(browser, baseUrl, name, room);
      opened.push(user);
      return user;
    });
    await Promise.all(opened.map((user) => user.close()));
  },
  chat: async ({}, use) => {
    const chat = await createChatServer({ port: 0, adminToken: ADMIN_TOKEN });
    await use(chat);
    await chat.close({ maxRetryAfterMs: 0 });
  },
  cluster: async ({}, use) => {
    const cluster = await startChatCluster({ port: 0, topicPort: 0 });
    await use(cluster);
    await cluster.close();
  },
});

export { expect } from '@playwright/test';
