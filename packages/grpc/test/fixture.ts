/** A real Firetower node (Express + ws) with the gRPC door in front of it, and ws subscribers. */
import { afterAll, beforeAll } from 'vitest';
import type { FiretowerOptions } from '@firetower/server';
import { connect, startServer, waitFor, type StartedServer, type TestClient as WsClient } from '@firetower/server/testing';
import { createGrpcServer, type GrpcServer, type GrpcServerOptions } from '../src/index.js';
import { createTestClient, type TestClient } from './client.js';

export { waitFor, type WsClient };
export const TOKEN = 'test-token';
export type Node = StartedServer;

/** Connections name their user with `?user=` (the authenticate hook reads it). */
export function nodeOptions(extra: FiretowerOptions = {}): FiretowerOptions {
  return {
    hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined }) },
    ...extra,
  };
}

export interface Stack {
  node: Node;
  grpc: GrpcServer;
  client: TestClient;
  close(): Promise<void>;
}

export async function startStack(grpcOptions: Partial<GrpcServerOptions> = {}, serverOptions: FiretowerOptions = nodeOptions()): Promise<Stack> {
  const node = await startServer(serverOptions);
  const grpc = await createGrpcServer(node.ft, { port: 0, token: TOKEN, watchIntervalMs: 20, ...grpcOptions });
  const client = createTestClient(grpc.address, TOKEN);
  return {
    node,
    grpc,
    client,
    close: async () => {
      client.close();
      await grpc.close();
      await node.close();
    },
  };
}

/**
 * `startStack(...)` before the tests of this file (or `describe`), closed after them. The object is
 * filled in by that `beforeAll`: read its fields inside tests and hooks.
 */
export function useStack(...args: Parameters<typeof startStack>): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    Object.assign(stack, await startStack(...args));
  });
  afterAll(async () => {
    await stack.close();
  });
  return stack;
}

/** A raw ws client subscribed to `topics` (the ack proves the server registered them). */
export async function subscriber(node: Node, topics: string[], query: Record<string, string> = {}): Promise<WsClient> {
  const ws = await connect(node.wsUrl, query);
  const ack = await ws.request({ type: 'subscribe', topic: topics });
  if (ack.type !== 'ack') throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
  return ws;
}

/** The data of the next delivery on a topic. */
export async function nextDelivery(ws: WsClient, topic: string, timeoutMs = 5000): Promise<unknown> {
  return (await ws.nextDelivery(topic, timeoutMs)).data;
}
