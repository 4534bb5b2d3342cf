/**
 * `pnpm demo:cluster`: a topic service on TOPIC_PORT (the service's default, 7070) and two chat
 * nodes on PORT (3000) and PORT+1, all in this process but talking over HTTP like separate machines.
 *   TOPIC_SERVICE_URL: use that topic service, start only the nodes (TOPIC_SERVICE_TOKEN: its secret).
 *   REDIS_URL: share topics through Redis instead.
 *   GRPC_PORT: serve the gRPC push API on node A only (127.0.0.1, the admin token).
 */
import { DEFAULT_TOPIC_SERVICE_PORT } from '@firetower/topic-service';
import { startChatCluster } from './cluster-setup.js';
import { adminToken, dashboardLine, envOptionalPort, envPort, envString } from './env.js';
import { stopOnSignals } from './shutdown.js';

const log = (line: string) => console.log(`[demo-chat cluster] ${line}`);

async function main(): Promise<void> {
  const admin = adminToken();
  const redisUrl = envString('REDIS_URL');
  const topicServiceUrl = envString('TOPIC_SERVICE_URL');
  const topicServiceToken = envString('TOPIC_SERVICE_TOKEN');
  const grpcPort = envOptionalPort('GRPC_PORT');
  const cluster = await startChatCluster({
    port: envPort('PORT', 3000),
    host: envString('HOST') ?? '127.0.0.1',
    // The service's own default, so a standalone `firetower-topic-service` and this demo agree.
    topicPort: envPort('TOPIC_PORT', DEFAULT_TOPIC_SERVICE_PORT),
    ...(redisUrl ? { redisUrl } : {}),
    ...(topicServiceUrl ? { topicServiceUrl } : {}),
    ...(topicServiceToken ? { topicServiceToken } : {}),
    node: { adminToken: admin.token },
    ...(grpcPort === undefined ? {} : { grpcPort }),
  });

  const [a, b] = cluster.nodes;
  if (cluster.topicService) log(`topic service on ${cluster.topicService.url}`);
  else log(`nodes share topics through ${redisUrl ? 'Redis' : 'the topic service'} at ${cluster.via}`);
  log(`node A on ${a.url}`);
  log(`node B on ${b.url}  (a tab on each: they chat through the ${redisUrl ? 'Redis broker' : 'topic service'})`);
  if (a.grpc) log(`gRPC push API on ${a.grpc.address} (node A; reaches both nodes)`);
  log(dashboardLine(a.url, admin));
  log(`node B's dashboard: ${b.url}/firetower/dashboard (same token)`);
  log('Ctrl-C to stop');

  stopOnSignals(() => cluster.close(), log);
}

main().catch((error: unknown) => {
  console.error(`[demo-chat cluster] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
