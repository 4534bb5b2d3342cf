import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the chat demo in Debian's Chromium (never a downloaded browser). Each test
 * starts its own chat server(s) from demo-chat/dist on port 0, so `pnpm build` runs first.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  // Generous: the tests run multi-user scenarios on small, busy CI machines; each step still
  // waits on the page with its own 10 s deadline.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 2,
  fullyParallel: true,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    // Tracing every test costs a lot of CPU; E2E_TRACE=1 keeps traces of failures.
    trace: process.env.E2E_TRACE ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
  },
});
