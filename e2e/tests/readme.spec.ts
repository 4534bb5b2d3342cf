import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';
import { ChatPage } from './chat-page.js';
import { DemoProcess, freePortPair, repoPath } from './demo-process.js';

/**
 * The root README tells the truth: every code block in it is a file under examples/ that these
 * tests run (or `pnpm typecheck` compiles), an install line naming what that example's
 * package.json holds, the quick start's commands, or a diagram.
 */

interface Block {
  lang: string;
  body: string;
  /** The `<!-- kind: target -->` comment right above the fence, if any. */
  marker: { kind: string; target: string } | undefined;
  line: number;
}

function readmeBlocks(readme: string): Block[] {
  const lines = readFileSync(repoPath(readme), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    let above = start - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const marker = /^<!-- (file|install|commands): (\S+) -->$/.exec(lines[above] ?? '');
    blocks.push({
      lang: open[1]!,
      body: body.join('\n'),
      marker: marker ? { kind: marker[1]!, target: marker[2]! } : undefined,
      line: start + 1,
    });
  }
  return blocks;
}

const readJson = (path: string) => JSON.parse(readFileSync(repoPath(path), 'utf8'));

/** The READMEs held to this rule: the root one and the demo's. */
const READMES = ['README.md', 'demo-chat/README.md'];

for (const readme of READMES) {
  test(`every code block in ${readme} is an example file, an install line, the commands or a diagram`, () => {
    const blocks = readmeBlocks(readme);
    expect(blocks.length).toBeGreaterThan(2);
    for (const block of blocks) {
      const where = `${readme} line ${block.line}`;
      if (block.lang === 'text') continue; // a diagram, not code
      expect(block.marker, `${where}: a code block needs a <!-- file|install|commands: … --> marker`).toBeDefined();
      const { kind, target } = block.marker!;
      if (kind === 'file') {
        expect(block.body, `${where} must equal ${target}`).toBe(readFileSync(repoPath(target), 'utf8').replace(/\n$/, ''));
      } else if (kind === 'install') {
        const manifest = readJson(target);
        const declared = { ...manifest.dependencies, ...manifest.devDependencies };
        for (const command of block.body.split('\n')) {
          if (command === 'npm init -y') continue;
          const install = /^npm i (-D )?(.+)$/.exec(command);
          expect(install, `${where}: ${command}`).not.toBeNull();
          for (const name of install![2]!.split(' ')) expect(declared, `${where}: ${name} is in ${target}`).toHaveProperty([name]);
        }
      } else {
        // Commands: each is a script of package.json (npm run x, npm test, pnpm x).
        const scripts = readJson(target).scripts as Record<string, string>;
        for (const line of block.body.split('\n')) {
          const [, name] = /^(?:npm run (\S+)|npm (test)|pnpm (\S+))\b/.exec(line)?.filter(Boolean) ?? [];
          expect(name, `${where}: ${line}`).toBeDefined();
          expect(scripts, `${where}: ${line}`).toHaveProperty([name!]);
        }
        // `demo` ends in the entry point demo-chat/test/demo-defaults.test.ts runs (so does
        // `demo:cluster`), and `npm test` is what CI (.ci/run) runs.
        expect(scripts.demo).toMatch(/&& node demo-chat\/dist\/main\.js$/);
        expect(scripts['demo:cluster']).toMatch(/&& node demo-chat\/dist\/cluster\.js$/);
        expect(readFileSync(repoPath('.ci/run'), 'utf8')).toMatch(/^npm test$/m);
      }
    }
  });
}

test('the root README shows the examples these tests run', () => {
  const files = readmeBlocks('README.md').flatMap((block) => (block.marker?.kind === 'file' ? [block.marker.target] : []));
  expect(files).toEqual(expect.arrayContaining(['examples/first-app/server.mjs', 'examples/first-app/client.mjs', 'examples/push/push.sh']));
});

test('Install and first app: two tabs and a Node client chat through server.mjs, and the server publishes', async ({ browser }) => {
  const port = await freePortPair();
  const server = DemoProcess.script('examples/first-app/server.mjs', { PORT: String(port) });
  let client: DemoProcess | undefined;
  try {
    await server.line(new RegExp(`open http://localhost:${port}`));
    const context = await browser.newContext();
    const [first, second] = [await context.newPage(), await context.newPage()];
    const url = `http://localhost:${port}/`;
    await first.goto(url);
    await expect(first.locator('#log li').filter({ hasText: 'a browser: hi' })).toHaveCount(1);
    await second.goto(url);
    // The second tab's "hi" reaches the first one too.
    await expect(first.locator('#log li').filter({ hasText: 'a browser: hi' })).toHaveCount(2);

    client = DemoProcess.script('examples/first-app/client.mjs', { PORT: String(port) });
    for (const page of [first, second]) await expect(page.locator('#log li').filter({ hasText: 'node: hello from Node' })).toHaveCount(1);
    await client.line(/hello from Node/);
    // The server's clock, every 5 s, reaches the pages and the Node client.
    await expect(
      second
        .locator('#log li')
        .filter({ hasText: /^server: \d{4}-/ })
        .first(),
    ).toBeVisible({ timeout: 15_000 });
    await client.line(/from: 'server'/, 15_000);
    await context.close();
  } finally {
    await client?.stop();
    await server.stop();
  }
});

test('Push from your back end: push.sh and push-client.mjs reach a tab of the demo over HTTP and gRPC', async ({ browser }) => {
  // Port 0 for both: the demo prints the ports it got, and push.sh reads them from PORT/GRPC_PORT.
  const token = { FIRETOWER_ADMIN_TOKEN: 'readme-push-token' };
  const demo = DemoProcess.start('main.js', { ...token, PORT: '0', GRPC_PORT: '0' });
  try {
    await demo.line(/Ctrl-C to stop/);
    const [, url, port] = await demo.line(/chat on (http:\/\/127\.0\.0\.1:(\d+))/);
    const [, grpcPort] = await demo.line(/gRPC push API on 127\.0\.0\.1:(\d+)/);
    const ann = await ChatPage.open(browser, url!, 'ann', 'world');
    const push = DemoProcess.command('bash', [repoPath('examples/push/push.sh')], { ...token, PORT: port!, GRPC_PORT: grpcPort! });
    expect(await push.exited(), `push.sh printed:\n${push.output}\nthe demo printed:\n${demo.output}`).toBe(0);
    expect(push.output).toContain('"accepted":1');
    await expect(ann.line('hi')).toHaveCount(2);
    const client = DemoProcess.script('examples/push/push-client.mjs', { ...token, GRPC_PORT: grpcPort! });
    expect(await client.exited(), client.output).toBe(0);
    await expect(ann.line('hi')).toHaveCount(3);
    await ann.close();
  } finally {
    await demo.stop();
  }
});
