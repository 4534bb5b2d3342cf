/**
 * The Firetower target: `app.use(firetower(options))` on Express 5, then `app.listen()`.
 *   --broker memory|topic-service|redis   (default memory)
 *   --url <url>                           the topic service or Redis URL
 *   --count-foreign                       count broker deliveries on topics without a local subscriber
 *   --push-token <token>                  serve the push APIs with this bearer token: the HTTP admin
 *                                         API (`POST /firetower/api/publish`) and the gRPC API of
 *                                         @firetower/grpc on a port of its own (`grpcPort` in the ready line)
 *   --compression                         `compression: true`: shared permessage-deflate, each publish
 *                                         compressed once for every subscriber that negotiated it
 *   --compression-threshold <bytes>       `compression: { threshold }` instead
 *   --heartbeat-ms <ms>                   `heartbeatIntervalMs` (the scale scenario shortens it)
 *   --history <size>                      history on every topic: one catch-all rule,
 *                                         `history: [{ match: /.+/, size }]` (the history targets)
 * The per-connection publish rate limit is lifted (the baselines have none); everything else is
 * the library's default.
 */
import express from 'express';
import { firetower, type Broker, type HistoryOption } from '@firetower/server';
import type { createGrpcServer, FiretowerPushApi } from '@firetower/grpc';
import { announceReady, exitOnSignals, readArgs } from './common.js';
import { countingBroker, type DeliveryCounts } from './counting-broker.js';

const { values } = readArgs({
  broker: { type: 'string' },
  url: { type: 'string' },
  'count-foreign': { type: 'boolean' },
  'push-token': { type: 'string' },
  compression: { type: 'boolean' },
  'compression-threshold': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  history: { type: 'string' },
});
const kind = typeof values.broker === 'string' ? values.broker : 'memory';
const url = typeof values.url === 'string' ? values.url : '';
const pushToken = typeof values['push-token'] === 'string' ? values['push-token'] : undefined;
const threshold = typeof values['compression-threshold'] === 'string' ? Number(values['compression-threshold']) : undefined;
const heartbeatIntervalMs = typeof values['heartbeat-ms'] === 'string' ? Number(values['heartbeat-ms']) : undefined;
const historySize = typeof values.history === 'string' ? Number(values.history) : undefined;
/** Every topic keeps its newest `historySize` publications (default TTLs); the server validates the size. */
const history: HistoryOption | undefined = historySize !== undefined ? [{ match: /.+/, size: historySize }] : undefined;

/**
 * The `compression` option, when asked for. Typed loosely on purpose: a server build that does
 * not know the option yet ignores it, and the compression scenario's bytes on the wire show it.
 */
const compressionOption: Record<string, unknown> =
  threshold !== undefined ? { compression: { threshold } } : values.compression === true ? { compression: true } : {};

type BrokerFactory = (options: { url: string }) => Broker;

/** The cluster brokers live in optional packages; load them only when asked for. */
async function loadFactory(pkg: string, exportName: string): Promise<BrokerFactory> {
  const specifier = pkg; // a variable: the bundler leaves it alone, the type checker does not chase it
  const mod = (await import(specifier)) as Record<string, unknown>;
  const factory = mod[exportName];
  if (typeof factory !== 'function') throw new Error(`${pkg} has no export ${exportName}`);
  return factory as BrokerFactory;
}

async function clusterBroker(): Promise<Broker | undefined> {
  if (kind === 'memory') return undefined;
  if (kind === 'topic-service') return (await loadFactory('@firetower/topic-service', 'topicServiceBroker'))({ url });
  if (kind === 'redis') return (await loadFactory('@firetower/redis', 'redisBroker'))({ url });
  throw new Error(`unknown broker ${kind}`);
}

/** The gRPC door lives in an optional package too; only the publish-api scenario asks for it. */
async function startGrpc(ft: FiretowerPushApi, token: string): Promise<number> {
  // Loaded only here, so the other runs' processes never carry grpc-js (idle RSS, start-up).
  const specifier = '@firetower/grpc';
  const mod = (await import(specifier)) as { createGrpcServer: typeof createGrpcServer };
  return (await mod.createGrpcServer(ft, { port: 0, token })).port;
}

async function main(): Promise<void> {
  let broker = await clusterBroker();
  let counts: DeliveryCounts | undefined;
  if (broker !== undefined && values['count-foreign'] === true) ({ broker, counts } = countingBroker(broker));

  const app = express();
  const middleware = firetower({
    // The load generator publishes from WebSocket clients.
    publish: 'allow',
    ...(broker !== undefined ? { broker } : {}),
    limits: { maxMessagesPerSecond: 1_000_000_000 },
    ...(pushToken !== undefined ? { admin: { token: pushToken } } : {}),
    ...(heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs } : {}),
    ...(history !== undefined ? { history } : {}),
    ...compressionOption,
  });
  const grpcPort = pushToken !== undefined ? await startGrpc(middleware, pushToken) : undefined;
  // Read by the orchestrator before it stops the target: routing counts, and the server's own
  // drop and error counters to explain any loss.
  app.get('/bench/stats', (_req, res) => {
    const { connections, topics, messagesOutTotal, dropsTotal, errorsTotal } = middleware.stats();
    res.json({ ...(counts ? { broker: counts } : {}), server: { connections, topics, messagesOutTotal, dropsTotal, errorsTotal } });
  });
  app.use(middleware);
  const server = app.listen(0, '127.0.0.1', () =>
    announceReady(server, {
      target: `firetower/${kind}${compressionOption.compression !== undefined ? '+deflate' : ''}${history !== undefined ? '+history' : ''}`,
      ...(grpcPort !== undefined ? { grpcPort } : {}),
    }),
  );
  // No graceful close: the run is over when the orchestrator stops a target.
  exitOnSignals();
}

main().catch((error: Error) => {
  process.stderr.write(`firetower target failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
