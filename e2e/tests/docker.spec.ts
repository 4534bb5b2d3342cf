import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { test, expect } from './fixtures.js';
import { ChatPage } from './chat-page.js';
import { DemoProcess, freePortPair, repoPath } from './demo-process.js';

/**
 * The Dockerfile and docker-compose.yml without Docker (no image can be built here): the images'
 * `pnpm deploy` outputs, started with each stage's CMD and ENV and each service's environment, read
 * from the files themselves so they cannot drift apart. Two things differ from the containers: the
 * processes share 127.0.0.1, so each gets a free port (PORT / TOPIC_SERVICE_PORT, set by the image
 * and remapped by Docker anyway) and `topic-service:7070` becomes that address. The Caddy proxy is
 * not run: the tabs open the nodes directly.
 */

interface Stage {
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[] | undefined;
  workdir: string;
  /** COPY from the build context (not from another stage): [source, destination in WORKDIR]. */
  copies: Array<[string, string]>;
}

/** Each named stage's ENV, WORKDIR, CMD and HEALTHCHECK CMD (exec form only). */
function dockerfileStages(): Record<string, Stage> {
  const stages: Record<string, Stage> = {};
  let current: Stage | undefined;
  const text = readFileSync(repoPath('Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  for (const line of text.split('\n')) {
    const from = /^FROM \S+ AS (\S+)/.exec(line);
    if (from) stages[from[1]!] = current = { env: {}, cmd: [], healthcheck: undefined, workdir: '/', copies: [] };
    if (!current) continue;
    const env = /^ENV (.+)$/.exec(line);
    if (env) for (const [, name, value] of env[1]!.matchAll(/(\w+)=(\S+)/g)) current.env[name!] = value!;
    const workdir = /^WORKDIR (\S+)/.exec(line);
    if (workdir) current.workdir = workdir[1]!;
    const copy = /^COPY (?!.*--from)(?:--\S+ )*(\S+) (\S+)\s*$/.exec(line);
    if (copy) current.copies.push([copy[1]!, copy[2]!]);
    const cmd = /^CMD (\[.*\])\s*$/.exec(line);
    if (cmd) current.cmd = JSON.parse(cmd[1]!);
    const health = /^HEALTHCHECK .*CMD (\[.*\])\s*$/.exec(line);
    if (health) current.healthcheck = JSON.parse(health[1]!);
  }
  return stages;
}

/** The deploy commands of the build stage, with /out/<name> moved under `into`. */
function deployCommands(into: string): string[][] {
  const text = readFileSync(repoPath('Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return [...text.matchAll(/pnpm --filter (\S+) (--config\.\S+) deploy --legacy --prod \/out\/(\S+)/g)].map(([, filter, config, name]) => [
    '--filter',
    filter!,
    config!,
    'deploy',
    '--legacy',
    '--prod',
    join(into, name!),
  ]);
}

interface Service {
  environment: Record<string, string>;
  build: { target: string };
}

/** A service's environment with `${VAR:?message}` filled from `values`. */
function environment(service: Service, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment).map(([name, value]) => [
      name,
      value.replace(/\$\{(\w+):\?[^}]*\}/g, (_, variable: string) => values[variable] ?? `<${variable} unset>`),
    ]),
  );
}

const readJson = async (url: string, token: string) =>
  (await fetch(url, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as { broker: { connected: boolean } };

test('the compose services, run without Docker: the topic service is healthy, two demo nodes join it, tabs chat', async ({ browser }) => {
  test.setTimeout(90_000);
  const stages = dockerfileStages();
  const compose = yaml.safeLoad(readFileSync(repoPath('docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
  const secrets = { TOPIC_SERVICE_TOKEN: 'compose-topic-token', FIRETOWER_ADMIN_TOKEN: 'compose-admin-token' };

  const out = mkdtempSync(join(tmpdir(), 'firetower-images-'));
  const started: DemoProcess[] = [];
  try {
    // The build stage's deploys (the image's /app), from the repository's build.
    const deploys = deployCommands(out);
    expect(deploys.map((args) => args[1])).toEqual(['@firetower/topic-service', '@firetower/demo-chat']);
    for (const args of deploys) execFileSync('pnpm', args, { cwd: repoPath('.'), stdio: 'ignore' });

    const service = stages['topic-service']!;
    expect(service.workdir).toBe('/app');
    for (const [source, destination] of service.copies) cpSync(repoPath(source), join(out, 'topic-service', destination));
    expect(service.env.TOPIC_SERVICE_HOST).toBe('0.0.0.0'); // reachable from the other containers
    const [servicePort] = [await freePortPair()];
    const serviceEnv: Record<string, string> = {
      ...service.env,
      ...environment(compose.services['topic-service']!, secrets),
      TOPIC_SERVICE_PORT: String(servicePort),
    };
    const [command, ...args] = service.cmd;
    expect(command).toBe('node');
    const topicService = DemoProcess.command(process.execPath, args, serviceEnv, join(out, 'topic-service'));
    started.push(topicService);
    await topicService.line(new RegExp(`listening on http://0\\.0\\.0\\.0:${servicePort}`));

    // HEALTHCHECK: healthy with the image's environment; unhealthy without the token.
    const [, ...healthArgs] = service.healthcheck!;
    const health = (env: Record<string, string>) => DemoProcess.command(process.execPath, healthArgs, env, join(out, 'topic-service')).exited();
    await test.step('HEALTHCHECK', async () => {
      await expect(health(serviceEnv)).resolves.toBe(0);
      const { TOPIC_SERVICE_TOKEN: _, ...noToken } = serviceEnv;
      await expect(health(noToken)).resolves.toBe(1);
    });

    // Two demo nodes with the demo-chat stage's CMD/ENV and the compose services' environment.
    const demo = stages['demo-chat']!;
    expect(demo.cmd).toEqual(['node', 'dist/main.js']);
    const nodes: Array<{ url: string; name: string }> = [];
    for (const name of ['node-a', 'node-b']) {
      const spec = compose.services[name]!;
      expect(spec.build.target).toBe('demo-chat');
      const port = await freePortPair();
      const env: Record<string, string> = { ...demo.env, ...environment(spec, secrets), PORT: String(port) };
      expect(env.TOPIC_SERVICE_URL).toBe('http://topic-service:7070');
      env.TOPIC_SERVICE_URL = `http://127.0.0.1:${servicePort}`;
      const node = DemoProcess.command(process.execPath, demo.cmd.slice(1), env, join(out, 'demo-chat'));
      started.push(node);
      await node.line(/Ctrl-C to stop/);
      expect(node.output).not.toContain(secrets.FIRETOWER_ADMIN_TOKEN);
      nodes.push({ url: `http://127.0.0.1:${port}`, name: env.NODE_NAME! });
    }
    for (const { url } of nodes) {
      await expect.poll(async () => (await readJson(`${url}/firetower/api/stats`, secrets.FIRETOWER_ADMIN_TOKEN)).broker.connected).toBe(true);
    }

    const [a, b] = nodes as [{ url: string; name: string }, { url: string; name: string }];
    const ann = await ChatPage.open(browser, a.url, 'ann', 'world');
    await expect(ann.page.getByTestId('node-name')).toHaveText('node A');
    const bob = await ChatPage.open(browser, b.url, 'bob', 'world');
    await expect(bob.page.getByTestId('node-name')).toHaveText('node B');
    await ann.expectCount(2);
    await ann.send('through the topic service');
    await expect(bob.line('through the topic service').getByTestId('from')).toHaveText('ann');
    await Promise.all([ann.close(), bob.close()]);
  } finally {
    for (const process of started.reverse()) await process.stop();
    rmSync(out, { recursive: true, force: true });
  }
});
