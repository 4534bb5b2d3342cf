/** createGrpcServer: the Firetower push API on its own HTTP/2 port. */
import { Server, ServerCredentials, status as grpcStatus, type ServiceDefinition } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import createDebug from 'debug';
import { FiretowerCodedError, type GrpcServerErrorCode } from '@firetower/protocol';
import { admissionInterceptor } from './admission.js';
import { createAuthCheck } from './auth.js';
import type { CallContext, FaultInfo, FiretowerPushApi } from './context.js';
import { GrpcApiError, toServiceError, type CallStatus } from './errors.js';
import { guardedDefinition, guardService } from './guard.js';
import { HealthService } from './health.js';
import { sendToHandler, sendToUserHandler } from './direct.js';
import { historyHandler } from './history.js';
import { resolveOptions, type GrpcServerOptions } from './options.js';
import { getPresenceHandler } from './presence.js';
import { FIRETOWER_SERVICE, HEALTH_SERVICE, loadPackageDefinition } from './proto.js';
import { publishBatchHandler, publishHandler, publishStreamHandler } from './publish.js';
import { getTopicHandler, kickUserHandler, listTopicsHandler, removeTopicHandler, statsHandler, unsubscribeUserHandler } from './topics.js';
import { fallbackPollFor, TopicCountWatcher, watchTopicHandler, type ActiveWatches } from './watch.js';

const debug = createDebug('firetower:grpc');

export type GrpcServerState = 'serving' | 'closing' | 'closed';

/** Documented in `@firetower/protocol`'s codes module. */
export type { GrpcServerErrorCode };

/** A configuration or startup failure of createGrpcServer. */
export class GrpcServerError extends FiretowerCodedError<GrpcServerErrorCode> {
  constructor(code: GrpcServerErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'GrpcServerError';
  }
}

export interface GrpcServer {
  /** The bound port (the real one when `port: 0` was asked for). */
  readonly port: number;
  /** `host:port`, ready for a client's target. */
  readonly address: string;
  readonly state: GrpcServerState;
  /**
   * Stops the port: health turns NOT_SERVING, WatchTopic streams end with UNAVAILABLE, running
   * calls get `shutdownGraceMs` to finish, then are cancelled. Does not close `ft`.
   */
  close(): Promise<void>;
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => {
      if (error) reject(new GrpcServerError('bind_failed', `cannot bind ${address}: ${error.message}`, { cause: error }));
      else resolve(port);
    });
  });
}

/** Builds `context.fault`: the status for an error, and a report of the unexpected ones. */
function faultReporter(onError: GrpcServerOptions['onError'], ft: FiretowerPushApi): (error: unknown, call: FaultInfo) => CallStatus {
  return (error, call) => {
    const status = toServiceError(error);
    if (status.code !== grpcStatus.INTERNAL) return status;
    const reported = error instanceof Error ? error : new GrpcApiError('internal', status.details);
    debug('%s failed: %O', call.method, reported);
    try {
      // The node counts it (errorsTotal, the dashboard's recent issues) and tells its own onError.
      ft.reportError?.(reported, `grpc ${call.method}`);
      onError?.(reported, call);
    } catch (hookError) {
      debug('onError threw: %O', hookError);
    }
    return status;
  };
}

/**
 * Serves `firetower.v1.Firetower`, `grpc.health.v1.Health` and server reflection on a port of
 * its own. Every method calls the server's public API (`ft.publish`, `ft.count`, ...), so it
 * behaves the same on one node and in a cluster.
 *
 * @example
 * const ft = firetower({ broker });
 * app.use(ft);
 * const grpc = await createGrpcServer(ft, { port: 50051, token: process.env.FIRETOWER_ADMIN_TOKEN });
 * // on shutdown: await grpc.close(); await ft.close();
 */
export async function createGrpcServer(ft: FiretowerPushApi, options: GrpcServerOptions): Promise<GrpcServer> {
  const resolved = resolveOptions(options);
  const open = resolved.token === undefined && resolved.authorize === undefined;

  let state: GrpcServerState = 'serving';
  const fault = faultReporter(resolved.onError, ft);
  const watcher = new TopicCountWatcher({
    read: (topic) => ft.count(topic),
    listen: (listener) => ft.onCountChange(listener),
    fallbackPollMs: fallbackPollFor(ft.broker, resolved.watchIntervalMs),
    // A background re-read has no call of its own: its faults are reported under WatchTopic.
    readFailed: (error) => fault(error, { method: `/${FIRETOWER_SERVICE}/WatchTopic` }),
  });
  const activeWatches: ActiveWatches = new Set();
  const health = new HealthService();
  const context: CallContext = {
    ft,
    options: resolved,
    checkAuth: createAuthCheck(resolved),
    watcher,
    isServing: () => state === 'serving',
    fault,
  };

  const packageDefinition = loadPackageDefinition();
  const server = new Server({
    'grpc.max_receive_message_length': resolved.maxReceiveMessageBytes,
    interceptors: [admissionInterceptor(context)],
  });
  const implementation = guardService(context, {
    Publish: publishHandler(context),
    PublishBatch: publishBatchHandler(context),
    PublishStream: publishStreamHandler(context),
    KickUser: kickUserHandler(context),
    UnsubscribeUser: unsubscribeUserHandler(context),
    RemoveTopic: removeTopicHandler(context),
    GetTopic: getTopicHandler(context),
    ListTopics: listTopicsHandler(context),
    WatchTopic: watchTopicHandler(context, activeWatches),
    Stats: statsHandler(context),
    History: historyHandler(context),
    GetPresence: getPresenceHandler(context),
    SendToUser: sendToUserHandler(context),
    SendTo: sendToHandler(context),
  });
  server.addService(guardedDefinition(packageDefinition[FIRETOWER_SERVICE] as ServiceDefinition), implementation);
  server.addService(packageDefinition[HEALTH_SERVICE] as ServiceDefinition, health.implementation());
  if (resolved.reflection) new ReflectionService(packageDefinition).addToServer(server);

  const credentials = options.credentials ?? ServerCredentials.createInsecure();
  const port = await bind(server, formatAddress(resolved.host, resolved.port), credentials);
  const address = formatAddress(resolved.host, port);
  debug('serving on %s (auth: %s)', address, !open ? 'required' : resolved.allowUnauthenticated ? 'open' : 'refusing all');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state = 'closing';
      health.setStatus('NOT_SERVING');
      health.endWatches();
      const shuttingDown = new GrpcApiError('shutting_down', 'the server is shutting down');
      for (const stop of [...activeWatches]) stop(shuttingDown);
      watcher.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          debug('grace period over: cancelling running calls');
          server.forceShutdown();
          resolve();
        }, resolved.shutdownGraceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      state = 'closed';
      debug('closed %s', address);
    })();
    return closing;
  };

  return {
    port,
    address,
    get state() {
      return state;
    },
    close,
  };
}
