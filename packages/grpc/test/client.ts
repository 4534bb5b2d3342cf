/**
 * A plain grpc-js client built from the shipped .proto, the way a user's service would build
 * one: it shares no code with the server under test.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url));

const definition = protoLoader.loadSync(['firetower.proto', 'grpc/health/v1/health.proto'], {
  includeDirs: [PROTO_DIR],
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition);

function constructorAt(path: string): grpc.ServiceClientConstructor {
  let node: unknown = loaded;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

type Callback = (error: grpc.ServiceError | null, reply?: unknown) => void;
type UnaryMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback) => grpc.ClientUnaryCall;
type ClientStreamMethod = (metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback) => grpc.ClientWritableStream<object>;
type ServerStreamMethod = (request: object, metadata: grpc.Metadata, options?: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

export interface CallOptions {
  /** Overrides the client's token; null sends none. */
  token?: string | null;
  /** Extra metadata (headers) to send. */
  headers?: Record<string, string>;
  deadlineMs?: number;
}

export interface TestClient {
  unary<T = Record<string, unknown>>(method: string, request: object, options?: CallOptions): Promise<T>;
  clientStream(method: string, options?: { token?: string | null }): { stream: grpc.ClientWritableStream<object>; reply: Promise<unknown> };
  serverStream(method: string, request: object, options?: CallOptions): grpc.ClientReadableStream<unknown>;
  health: grpc.Client;
  close(): void;
}

/** `token` is the default bearer token; pass `token: null` on a call to send none. */
export function createTestClient(address: string, token?: string): TestClient {
  const Firetower = constructorAt('firetower.v1.Firetower');
  const Health = constructorAt('grpc.health.v1.Health');
  const client = new Firetower(address, grpc.credentials.createInsecure());
  const health = new Health(address, grpc.credentials.createInsecure());
  const methods = client as unknown as Record<string, unknown>;

  const metadataFor = (override: string | null | undefined, headers: Record<string, string> = {}): grpc.Metadata => {
    const metadata = new grpc.Metadata();
    const chosen = override === undefined ? token : override;
    if (chosen !== null && chosen !== undefined) metadata.set('authorization', `Bearer ${chosen}`);
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    return metadata;
  };

  return {
    unary: (method, request, options = {}) =>
      new Promise((resolve, reject) => {
        const fn = methods[method] as UnaryMethod;
        fn.call(client, request, metadataFor(options.token, options.headers), { deadline: Date.now() + (options.deadlineMs ?? 10_000) }, (error, reply) =>
          error ? reject(error) : resolve(reply as never),
        );
      }),
    clientStream: (method, options = {}) => {
      let stream!: grpc.ClientWritableStream<object>;
      const reply = new Promise<unknown>((resolve, reject) => {
        const fn = methods[method] as ClientStreamMethod;
        stream = fn.call(client, metadataFor(options.token), {}, (error, value) => (error ? reject(error) : resolve(value)));
      });
      return { stream, reply };
    },
    serverStream: (method, request, options = {}) => {
      const fn = methods[method] as ServerStreamMethod;
      const callOptions: grpc.CallOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
      return fn.call(client, request, metadataFor(options.token, options.headers), callOptions);
    },
    health,
    close: () => {
      client.close();
      health.close();
    },
  };
}

/** Resolves with the call's error; fails when the call succeeded. */
export async function refusal(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

export { grpc };

/**
 * Sends `bytes` as the request message of `method` (e.g. 'Publish'), unparsed: for requests no
 * well-behaved client can build (wrong wire types, truncated fields, invalid UTF-8 in strings).
 * Resolves with the call's status code and details; the reply bytes are ignored.
 */
export function rawUnary(
  address: string,
  method: string,
  bytes: Buffer,
  options: { token?: string; deadlineMs?: number } = {},
): Promise<{ code: grpc.status; details: string; metadata: grpc.Metadata }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  const identity = (value: Buffer): Buffer => value;
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/firetower.v1.Firetower/${method}`,
      identity,
      identity,
      bytes,
      metadata,
      { deadline: Date.now() + (options.deadlineMs ?? 10_000) },
      (error) => {
        client.close();
        resolve(
          error ? { code: error.code, details: error.details, metadata: error.metadata } : { code: grpc.status.OK, details: '', metadata: new grpc.Metadata() },
        );
      },
    );
  });
}
