/**
 * `pnpm demo`: one chat node with the topic service embedded in this process.
 *   PORT (3000), HOST (127.0.0.1; 0.0.0.0 to reach it from a phone), FIRETOWER_ADMIN_TOKEN,
 *   BROKER=memory to skip the topic service,
 *   GRPC_PORT to also serve the gRPC push API on 127.0.0.1 (same token as the admin API).
 */
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

  const topicService = envString('BROKER') === 'memory' ? undefined : await startLocalTopicService();
  const choice: BrokerChoice = topicService ? { kind: 'topic-service', url: topicService.url } : { kind: 'memory' };
  const broker = await brokerFor(choice);
  const chat = await createChatServer({
    port,
    host,
    adminToken: admin.token,
    nodeName: topicService ? 'single node · embedded topic service' : 'single node · memory broker',
    ...(broker ? { broker } : {}),
    ...(grpcPort === undefined ? {} : { grpcPort }),
  });

  log(`chat on ${chat.url}  (open it in two tabs)`);
  log(topicService ? `topic service embedded at ${topicService.url}` : 'memory broker (BROKER=memory)');
  if (chat.grpc) log(`gRPC push API on ${chat.grpc.address} (token: the admin token)`);
  log(dashboardLine(chat.url, admin));
  log('Ctrl-C to stop');

  stopOnSignals(async () => {
    await chat.close({ maxRetryAfterMs: 1000 });
    await topicService?.close();
  }, log);
}

main().catch((error: unknown) => {
  console.error(`[demo-chat] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
