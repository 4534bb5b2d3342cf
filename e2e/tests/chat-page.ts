import { expect } from '@playwright/test';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';

/** One user's tab on the chat page, with the locators the tests read. */
export class ChatPage {
  readonly connection: Locator;
  readonly onlineCount: Locator;
  readonly roomTitle: Locator;
  readonly roomError: Locator;
  readonly messages: Locator;
  readonly chatLines: Locator;
  readonly input: Locator;
  readonly members: Locator;

  constructor(
    readonly page: Page,
    readonly context: BrowserContext,
  ) {
    this.connection = page.getByTestId('connection');
    this.onlineCount = page.getByTestId('online-count');
    this.roomTitle = page.getByTestId('room-title');
    this.roomError = page.getByTestId('room-error');
    this.messages = page.getByTestId('messages');
    this.chatLines = this.messages.locator('li.msg');
    this.input = page.getByTestId('message-input');
    this.members = page.getByTestId('members').locator('li');
  }

  /** The room's member list shows exactly these names (in any order). */
  async expectMembers(names: string[]): Promise<void> {
    await expect(this.members).toHaveText([...names].sort((a, b) => a.localeCompare(b)));
  }

  /**
   * A new user (own browser context: own storage, like another person) in `room` of the chat at
   * `baseUrl`, once the page says it is online.
   */
  static async open(browser: Browser, baseUrl: string, name: string, room = 'world'): Promise<ChatPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/?name=${encodeURIComponent(name)}#${room}`);
    const chat = new ChatPage(page, context);
    await chat.expectOnline(room);
    return chat;
  }

  async expectOnline(room: string): Promise<void> {
    await expect(this.connection).toHaveText('online');
    await expect(this.roomTitle).toHaveText(`#${room}`);
    await expect(this.messages.locator('li.system').first()).toContainText(`You joined #${room}`);
  }

  /** Sends a message and waits until the server has it (its line is no longer `sending`). */
  async send(text: string): Promise<Locator> {
    await this.input.fill(text);
    await this.input.press('Enter');
    const line = this.ownLine(text);
    await expect(line).not.toHaveAttribute('data-state', 'sending');
    return line;
  }

  /** The last own line with exactly this text. */
  ownLine(text: string): Locator {
    return this.messages
      .locator('li.msg.own')
      .filter({ has: this.page.getByTestId('text').getByText(text, { exact: true }) })
      .last();
  }

  /** The line of a message with exactly this text, from anyone. */
  line(text: string): Locator {
    return this.chatLines.filter({ has: this.page.getByTestId('text').getByText(text, { exact: true }) });
  }

  async switchTo(room: string): Promise<void> {
    await this.page
      .getByTestId('room-list')
      .getByRole('button', { name: `#${room}`, exact: true })
      .click();
    await this.expectOnline(room);
  }

  /** Types `typed` in the new-room box; the page normalises it to `room` ("Book Club" → "book-club"). */
  async createRoom(typed: string, room = typed): Promise<void> {
    await this.page.getByPlaceholder('new room').fill(typed);
    await this.page.getByPlaceholder('new room').press('Enter');
    await expect(this.roomTitle).toHaveText(`#${room}`);
  }

  async expectCount(count: number): Promise<void> {
    await expect(this.onlineCount).toHaveText(`${count} online`);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
