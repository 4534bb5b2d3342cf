/**
 * `pnpm demo`: one chat node with the topic service embedded in this process.
 *   PORT (3000), HOST (127.0.0.1; 0.0.0.0 to reach it from a phone), FIRETOWER_ADMIN_TOKEN,
 *   BROKER=memory to skip the topic service,
 *   TOPIC_SERVICE_URL to use a running topic service instead of embedding one (TOPIC_SERVICE_TOKEN:
 *   its secret): one node of a cluster, as docker-compose.yml runs two,
 *   GRPC_PORT to also serve the gRPC push API on 127.0.0.1 (same token as the admin API),
 *   ALLOWED_HOSTS (comma-separated) for the host names the page is reached by behind a proxy or a
 *   domain (default: this machine's own names; see Firetower's allowedHosts).
 */
import { hostname } from 'node:os';
import type { RunningTopicService } from '@firetower/topic-service';
import { brokerFor, startLocalTopicService } from './brokers.js';
import type { BrokerChoice } from './brokers.js';
import { createChatServer } from './chat-server.js';
import { adminToken, dashboardLine, envOptionalPort, envPort, envString } from './env.js';
import { stopOnSignals } from './shutdown.js';

const log = (line: string) => console.log(`[demo-chat] ${line}`);

async function main(): Promise<void> {
  const port = envPort('PORT', 3000);
  const host = envString('HOST') ?? '127.0.0.1';
  const admin = adminToken();
  const grpcPort = envOptionalPort('GRPC_PORT');
  const allowedHosts = envString('ALLOWED_HOSTS')
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);

  const choice = await chooseBroker();
  const topicService = choice.embedded;
  const broker = await brokerFor(choice.broker);
  const chat = await createChatServer({
    port,
    host,
    adminToken: admin.token,
    nodeName: choice.nodeName,
    ...(broker ? { broker } : {}),
    ...(grpcPort === undefined ? {} : { grpcPort }),
    ...(allowedHosts === undefined ? {} : { allowedHosts }),
  });

  log(`chat on ${chat.url}  (open it in two tabs)`);
  log(choice.description);
  if (chat.grpc) log(`gRPC push API on ${chat.grpc.address} (token: the admin token)`);
  log(dashboardLine(chat.url, admin));
  log('Ctrl-C to stop');

  stopOnSignals(async () => {
    await chat.close({ maxRetryAfterMs: 1000 });
    await topicService?.close();
  }, log);
}

/** BROKER=memory, TOPIC_SERVICE_URL (a running service), or a topic service embedded here. */
async function chooseBroker(): Promise<{
  broker: BrokerChoice;
  embedded: RunningTopicService | undefined;
  nodeName: string;
  description: string;
}> {
  if (envString('BROKER') === 'memory') {
    return { broker: { kind: 'memory' }, embedded: undefined, nodeName: 'single node · memory broker', description: 'memory broker (BROKER=memory)' };
  }
  const url = envString('TOPIC_SERVICE_URL');
  if (url) {
    const token = envString('TOPIC_SERVICE_TOKEN');
    return {
      broker: token ? { kind: 'topic-service', url, token } : { kind: 'topic-service', url },
      embedded: undefined,
      nodeName: envString('NODE_NAME') ?? `node ${hostname()}`,
      description: `topic service at ${url}`,
    };
  }
  const embedded = await startLocalTopicService();
  return {
    broker: { kind: 'topic-service', url: embedded.url },
    embedded,
    nodeName: 'single node · embedded topic service',
    description: `topic service embedded at ${embedded.url}`,
  };
}

main().catch((error: unknown) => {
  console.error(`[demo-chat] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
