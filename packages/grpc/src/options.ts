import type { Metadata, ServerCredentials } from '@grpc/grpc-js';
import { DEFAULT_LIMITS } from '@firetower/protocol';

/** What an `authorize` check sees of one call. */
export interface AuthorizeContext {
  /** The call's request metadata (headers), e.g. `metadata.get('authorization')`. */
  metadata: Metadata;
  /** The full method path, e.g. `/firetower.v1.Firetower/Publish`. */
  method: string;
  /** The caller's address as grpc-js reports it. */
  peer: string;
}

export interface GrpcServerOptions {
  /** Port to listen on; 0 picks a free one (read it from the returned `port`). */
  port: number;
  /**
   * Interface to bind. The default keeps the push API off the network: back-end services on the
   * same host reach it, browsers and the internet do not. @default '127.0.0.1'
   */
  host?: string;
  /**
   * Bearer token every call must carry as `authorization: Bearer <token>` metadata. Compared in
   * constant time. Health and reflection stay open (probes and tools carry no token).
   */
  token?: string;
  /**
   * An app-supplied check, e.g. for JWTs or mTLS peers: return true to allow. A call passes
   * when it carries the `token` OR this returns true. Throwing counts as false.
   */
  authorize?(this: void, context: AuthorizeContext): boolean | Promise<boolean>;
  /**
   * Without `token` or `authorize` every call is refused with UNAUTHENTICATED (as the HTTP admin
   * API does), so enabling the port never opens it by accident. Set this to serve an open API
   * anyway, e.g. on loopback in development or behind a mesh that authenticates. @default false
   */
  allowUnauthenticated?: boolean;
  /** TLS or mTLS: `ServerCredentials.createSsl(...)`. @default ServerCredentials.createInsecure() */
  credentials?: ServerCredentials;
  /** Largest message data in bytes (JSON text, text or raw bytes); larger is INVALID_ARGUMENT. @default 65536 */
  maxDataBytes?: number;
  /** Most messages in one PublishBatch; more is INVALID_ARGUMENT. @default 1000 */
  maxBatch?: number;
  /** Longest topic in characters, as the WebSocket side's `limits.maxTopicLength`. @default 256 */
  maxTopicLength?: number;
  /**
   * gRPC's own cap on one received message (a whole PublishBatch counts as one; each message of a
   * PublishStream counts alone); above it grpc-js answers RESOURCE_EXHAUSTED before our handlers
   * run. Only admitted calls are read at all (the token is checked on the call's headers first),
   * so this bounds what an authorised producer can make the server hold per call. The default
   * fits one Publish with the largest data (`maxDataBytes` plus room for the topic and keys) with
   * a floor of 4 MiB, gRPC's usual default, for batches of small messages; raise it for large
   * batches, or use PublishStream. @default max(4 MiB, maxDataBytes + 64 KiB)
   */
  maxReceiveMessageBytes?: number;
  /**
   * WatchTopic learns of count changes from `ft.onCountChange`. With a broker that does not tell
   * every node about every count change (anything but `memory` and `redis`, e.g. the topic-service
   * broker, which tells only nodes with local subscribers of the topic) it also re-reads each
   * watched topic's count this often (one read per topic, shared by all its watchers). @default 1000
   */
  watchIntervalMs?: number;
  /** Serve grpc.reflection (v1 and v1alpha) so grpcurl and Postman can list the API. @default true */
  reflection?: boolean;
  /** close(): how long running calls may finish before they are cancelled. @default 5000 */
  shutdownGraceMs?: number;
  /**
   * Told of every unexpected fault that ended a call with INTERNAL (a bug, or something the
   * server's API threw that is not one of its coded errors): only that call failed, the server
   * carries on. Client mistakes (INVALID_ARGUMENT, UNAUTHENTICATED...) are not reported. A
   * throwing `onError` is ignored. Without it, faults are logged under `DEBUG=firetower:grpc`.
   *
   * @example
   * createGrpcServer(ft, { port: 50051, token, onError: (error, { method }) => log.error({ method }, error) });
   */
  onError?(this: void, error: Error, call: { method: string; peer?: string }): void;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  token: string | undefined;
  authorize: GrpcServerOptions['authorize'];
  allowUnauthenticated: boolean;
  maxDataBytes: number;
  maxBatch: number;
  maxTopicLength: number;
  maxReceiveMessageBytes: number;
  watchIntervalMs: number;
  reflection: boolean;
  shutdownGraceMs: number;
  onError: GrpcServerOptions['onError'];
}

const MiB = 1024 * 1024;
/** Room in one PublishRequest beside its data: topic, exclude_client_id, idempotency_key, framing. */
const PUBLISH_OVERHEAD_BYTES = 64 * 1024;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1) throw new TypeError(`${name} must be a positive integer`);
  return resolved;
}

export function resolveOptions(options: GrpcServerOptions): ResolvedOptions {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new TypeError('port must be an integer from 0 to 65535');
  }
  if (options.token !== undefined && options.token.length === 0) throw new TypeError('token must not be empty');
  const maxDataBytes = positiveInteger('maxDataBytes', options.maxDataBytes, 64 * 1024);
  return {
    port: options.port,
    host: options.host ?? '127.0.0.1',
    token: options.token,
    authorize: options.authorize,
    allowUnauthenticated: options.allowUnauthenticated ?? false,
    maxDataBytes,
    maxBatch: positiveInteger('maxBatch', options.maxBatch, 1000),
    maxTopicLength: positiveInteger('maxTopicLength', options.maxTopicLength, DEFAULT_LIMITS.maxTopicLength),
    maxReceiveMessageBytes: positiveInteger('maxReceiveMessageBytes', options.maxReceiveMessageBytes, Math.max(4 * MiB, maxDataBytes + PUBLISH_OVERHEAD_BYTES)),
    watchIntervalMs: positiveInteger('watchIntervalMs', options.watchIntervalMs, 1000),
    reflection: options.reflection ?? true,
    shutdownGraceMs: positiveInteger('shutdownGraceMs', options.shutdownGraceMs, 5000),
    onError: options.onError,
  };
}
