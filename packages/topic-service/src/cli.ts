import { parseArgs } from 'node:util';
import { DEFAULT_TOPIC_SERVICE_PORT, isFetchBlockedPort, isLoopbackHost } from './ports.js';
import { startTopicService } from './service/create.js';

const HELP = `Usage: firetower-topic-service [options]

  --port <n>       port to listen on, 0 = any free port   (env TOPIC_SERVICE_PORT, default ${DEFAULT_TOPIC_SERVICE_PORT})
  --host <addr>    address to bind                        (env TOPIC_SERVICE_HOST, default 127.0.0.1)
  --lease-ms <n>   a node silent this long is dead        (env TOPIC_SERVICE_LEASE_MS, default 15000)
  --token <s>      shared secret: Authorization: Bearer   (env TOPIC_SERVICE_TOKEN, default none;
                   prefer the env var: a flag shows in the process list)
  --max-keys <n>   idempotency keys kept at once          (env TOPIC_SERVICE_MAX_KEYS, default 200000)
  --grace-ms <n>   after a restart, hold relaying this long (env TOPIC_SERVICE_GRACE_MS, default 6000)
                   while the nodes come back; 0 = off
  --max-history-mb <n>
                   memory for history streams, about   (env TOPIC_SERVICE_MAX_HISTORY_MB, default 256)
  --max-presence-shares <n>
                   presence members × topics × nodes kept (env TOPIC_SERVICE_MAX_PRESENCE_SHARES,
                   about 230 bytes each; beyond, new     default 500000)
                   members are not listed
  --insecure-no-token
                   allow no token on a non-loopback --host (anyone who reaches the port could
                   then act as any node); without it the service refuses to start
  -h, --help       show this help
`;

function fail(message: string): never {
  process.stderr.write(`firetower-topic-service: ${message}\n\n${HELP}`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) fail(`${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'lease-ms': { type: 'string' },
        token: { type: 'string' },
        'max-keys': { type: 'string' },
        'grace-ms': { type: 'string' },
        'max-history-mb': { type: 'string' },
        'max-presence-shares': { type: 'string' },
        'insecure-no-token': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const port = integer('--port', values.port ?? env.TOPIC_SERVICE_PORT, DEFAULT_TOPIC_SERVICE_PORT);
  if (port > 65535) fail(`--port must be at most 65535, got ${port}`);
  if (isFetchBlockedPort(port)) {
    fail(
      `--port ${port} is on the Fetch standard's blocked-port list: nodes (whose fetch refuses it with "bad port") could never connect; use another port (the default is ${DEFAULT_TOPIC_SERVICE_PORT})`,
    );
  }
  const leaseMs = integer('--lease-ms', values['lease-ms'] ?? env.TOPIC_SERVICE_LEASE_MS, 15_000);
  if (leaseMs < 1) fail('--lease-ms must be at least 1');
  const maxKeys = integer('--max-keys', values['max-keys'] ?? env.TOPIC_SERVICE_MAX_KEYS, 200_000);
  if (maxKeys < 1) fail('--max-keys must be at least 1');
  const graceMs = integer('--grace-ms', values['grace-ms'] ?? env.TOPIC_SERVICE_GRACE_MS, 6000);
  const maxHistoryMb = integer('--max-history-mb', values['max-history-mb'] ?? env.TOPIC_SERVICE_MAX_HISTORY_MB, 256);
  if (maxHistoryMb < 1) fail('--max-history-mb must be at least 1');
  const maxPresenceShares = integer('--max-presence-shares', values['max-presence-shares'] ?? env.TOPIC_SERVICE_MAX_PRESENCE_SHARES, 500_000);
  const host = values.host ?? (env.TOPIC_SERVICE_HOST || '127.0.0.1');
  const token = values.token ?? (env.TOPIC_SERVICE_TOKEN || undefined);
  if (!token && !isLoopbackHost(host) && !values['insecure-no-token']) {
    fail(
      `refusing to listen on ${host} without a token: anyone who can reach it could register, publish and read as any node. ` +
        'Set TOPIC_SERVICE_TOKEN (preferred) or --token, bind --host 127.0.0.1, or pass --insecure-no-token if the network is trusted',
    );
  }

  const service = await startTopicService({
    port,
    host,
    leaseMs,
    token,
    maxKeys,
    graceMs,
    maxHistoryBytes: maxHistoryMb * 1024 * 1024,
    maxPresenceShares,
    // A bug hit one request (answered 500) or one timer; say so, and carry on.
    onError: (error, where) =>
      process.stderr.write(`firetower-topic-service: unexpected error in ${where}: ${error instanceof Error ? error.message : String(error)}\n`),
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`firetower topic service: ${signal}, shutting down\n`);
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Printed last: whoever waits for this line may signal us right away.
  process.stdout.write(`firetower topic service listening on ${service.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`firetower-topic-service: ${(error as Error).message}\n`);
  process.exit(1);
});
