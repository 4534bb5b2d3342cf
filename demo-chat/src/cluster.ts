/**
 * `pnpm demo:cluster`: a topic service on TOPIC_PORT (6666) and two chat nodes on PORT (3000)
 * and PORT+1, all in this process but talking over HTTP like separate machines.
 *   TOPIC_SERVICE_URL: use that topic service, start only the nodes.
 *   REDIS_URL: share topics through Redis instead.
 *   GRPC_PORT: serve the gRPC push API on node A only (127.0.0.1, the admin token).
 */
import { startChatCluster } from './cluster-setup.js';
import { adminToken, envOptionalPort, envPort, envString } from './env.js';
import { stopOnSignals } from './shutdown.js';

const log = (line: string) => console.log(`[demo-chat cluster] ${line}`);

async function main(): Promise<void> {
  const admin = adminToken();
  const redisUrl = envString('REDIS_URL');
  const topicServiceUrl = envString('TOPIC_SERVICE_URL');
  const grpcPort = envOptionalPort('GRPC_PORT');
  const cluster = await startChatCluster({
    port: envPort('PORT', 3000),
    host: envString('HOST') ?? '127.0.0.1',
    topicPort: envPort('TOPIC_PORT', 6666),
    ...(redisUrl ? { redisUrl } : {}),
    ...(topicServiceUrl ? { topicServiceUrl } : {}),
    node: { adminToken: admin.token },
    ...(grpcPort === undefined ? {} : { grpcPort }),
  });

  const [a, b] = cluster.nodes;
  if (cluster.topicService) log(`topic service on ${cluster.topicService.url}`);
  else log(`nodes share topics through ${redisUrl ? 'Redis' : 'the topic service'} at ${cluster.via}`);
  log(`node A on ${a.url}`);
  log(`node B on ${b.url}  (a tab on each: they chat through the ${redisUrl ? 'Redis broker' : 'topic service'})`);
  if (a.grpc) log(`gRPC push API on ${a.grpc.address} (node A; reaches both nodes)`);
  log(`admin dashboards ${a.url}/firetower/dashboard?token=${encodeURIComponent(admin.token)} (and node B's)`);
  if (admin.generated) log('admin token generated for this run; set FIRETOWER_ADMIN_TOKEN to choose one');
  log('Ctrl-C to stop');

  stopOnSignals(() => cluster.close(), log);
}

main().catch((error: unknown) => {
  console.error(`[demo-chat cluster] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
