/**
 * The Firetower target: `app.use(firetower(options))` on Express 5, then `app.listen()`.
 *   --broker memory|topic-service|redis   (default memory)
 *   --url <url>                           the topic service or Redis URL
 *   --count-foreign                       count broker deliveries on topics without a local subscriber
 * The per-connection publish rate limit is lifted (the baselines have none); everything else is
 * the library's default.
 */
import express from 'express';
import { firetower, type Broker } from '@firetower/server';
import { announceReady, exitOnSignals, readArgs } from './common.js';
import { countingBroker, type DeliveryCounts } from './counting-broker.js';

const { values } = readArgs({
  broker: { type: 'string' },
  url: { type: 'string' },
  'count-foreign': { type: 'boolean' },
});
const kind = typeof values.broker === 'string' ? values.broker : 'memory';
const url = typeof values.url === 'string' ? values.url : '';

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

async function main(): Promise<void> {
  let broker = await clusterBroker();
  let counts: DeliveryCounts | undefined;
  if (broker !== undefined && values['count-foreign'] === true) ({ broker, counts } = countingBroker(broker));

  const app = express();
  const middleware = firetower({
    ...(broker !== undefined ? { broker } : {}),
    limits: { maxMessagesPerSecond: 1_000_000_000 },
  });
  // Read by the orchestrator before it stops the target: routing counts, and the server's own
  // drop and error counters to explain any loss.
  app.get('/bench/stats', (_req, res) => {
    const { connections, messagesOutTotal, dropsTotal, errorsTotal } = middleware.stats();
    res.json({ ...(counts ? { broker: counts } : {}), server: { connections, messagesOutTotal, dropsTotal, errorsTotal } });
  });
  app.use(middleware);
  const server = app.listen(0, '127.0.0.1', () => announceReady(server, { target: `firetower/${kind}` }));
  // No graceful close: the run is over when the orchestrator stops a target.
  exitOnSignals();
}

main().catch((error: Error) => {
  process.stderr.write(`firetower target failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
