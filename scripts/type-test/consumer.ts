/**
 * A consumer of the packed packages, compiled by scripts/check-packages.mjs against the
 * tarballs' .d.ts files with the oldest TypeScript we support (5.4: the declarations use
 * NoInfer) and with the current one, under `node16` and `bundler` resolution. It only compiles;
 * nothing runs. `@ts-expect-error` lines prove the types still refuse what they should.
 */
/// <reference types="@firetower/client/browser" />
import express from 'express';
import { WebSocket } from 'ws';
import { Firetower, FiretowerError, type PublishResult } from '@firetower/client';
import { firetower, FiretowerRefusal, memoryBroker, type FiretowerApi } from '@firetower/server';
import { startServer, waitFor } from '@firetower/server/testing';
import { DEFAULT_TOPIC_SERVICE_PORT, startTopicService, topicServiceBroker } from '@firetower/topic-service';
import { redisBroker } from '@firetower/redis';
import { createGrpcServer, createPushClient } from '@firetower/grpc';
import { CloseCode, ErrorCode } from '@firetower/protocol';

interface ChatMessage {
  from: string;
  text: string;
}
type Topics = {
  [topic: `/chat/${string}`]: ChatMessage;
  '/status': 'up' | 'down';
};

export async function server(): Promise<void> {
  const app = express();
  const ft = firetower<{ name: string }>({
    broker: memoryBroker(),
    hooks: {
      beforeSubscribe: (_tower, topics) => ({ allow: topics.filter((t) => t.startsWith('/chat/')) }),
      onMessage: (tower) => {
        if (!tower.data.name) throw new FiretowerRefusal('name first');
      },
    },
  });
  app.use(ft);
  const api: FiretowerApi = ft;
  const { duplicate }: { duplicate: boolean } = await api.publish('/chat/world', { from: 'system', text: 'hi' });
  void duplicate;
  const service = await startTopicService({ port: DEFAULT_TOPIC_SERVICE_PORT });
  void topicServiceBroker({ url: service.url });
  void redisBroker({ url: 'redis://127.0.0.1:6379' });
  const grpc = await createGrpcServer(ft, { port: 0, token: 't' });
  const push = createPushClient(grpc.address, { token: 't' });
  push.close();
  const started = await startServer();
  await waitFor(() => true, 10, 'nothing');
  await started.close();
  void [CloseCode.Normal, ErrorCode];
}

export async function client(): Promise<void> {
  const typed = new Firetower<Topics>('ws://127.0.0.1:3000/ws', { WebSocket, autoConnect: false });
  typed.subscribe('/chat/world', (message) => {
    const text: string = message.text;
    void text;
  });
  const result: PublishResult = await typed.publish('/chat/world', { from: 'ann', text: 'hi' });
  void result;
  // @ts-expect-error wrong payload for the topic (NoInfer keeps the map's type in charge)
  void typed.publish('/chat/world', { from: 'ann' });
  // @ts-expect-error not a topic of the map
  void typed.publish('/news/today', 1);
  typed.on('error', (error) => {
    if (error instanceof FiretowerError) void error.code;
  });
}

/** A page's script after `<script src="/firetower/client.js">`: the global is the client class. */
export function page(): void {
  const client = new globalThis.Firetower('/ws');
  const code: number = globalThis.Firetower.CloseCode.Normal;
  void [client, code];
}
