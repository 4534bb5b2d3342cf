import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { grpc, refusal } from './client.js';
import { startStack, useStack, waitFor } from './fixture.js';

const stack = useStack();

type Callback = (error: grpc.ServiceError | null, reply?: { status: string }) => void;

function check(service: string): Promise<{ status: string }> {
  return new Promise((resolve, reject) => {
    const method = (stack.client.health as unknown as Record<string, (r: object, cb: Callback) => void>).Check!;
    method.call(stack.client.health, { service }, (error, reply) => (error ? reject(error) : resolve(reply!)));
  });
}

// A reflection client from the reflection proto that @grpc/reflection ships: what grpcurl speaks.
function reflectionClient(version: 'v1' | 'v1alpha'): grpc.Client {
  const packageRoot = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '..');
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [join(packageRoot, 'proto')],
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  const Ctor = loaded.grpc.reflection[version]!.ServerReflection;
  return new Ctor(stack.grpc.address, grpc.credentials.createInsecure());
}

interface ReflectionReply {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
}

function ask(client: grpc.Client, request: object): Promise<ReflectionReply> {
  const open = (client as unknown as Record<string, () => grpc.ClientDuplexStream<object, ReflectionReply>>).ServerReflectionInfo!;
  const call = open.call(client);
  return new Promise((resolve, reject) => {
    call.on('data', (reply: ReflectionReply) => {
      resolve(reply);
      call.end();
    });
    call.on('error', reject);
    call.write(request);
  });
}

describe('grpc.health.v1', () => {
  it('answers SERVING for the server and the Firetower service, NOT_FOUND for others', async () => {
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check('firetower.v1.Firetower')).toEqual({ status: 'SERVING' });
    expect((await refusal(check('nope.Service'))).code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('server reflection', () => {
  it.each(['v1', 'v1alpha'] as const)('%s lists every service and describes firetower.v1', async (version) => {
    const client = reflectionClient(version);
    const list = await ask(client, { listServices: '' });
    expect(list.listServicesResponse?.service.map((s) => s.name)).toEqual(expect.arrayContaining(['firetower.v1.Firetower', 'grpc.health.v1.Health']));
    const file = await ask(client, { fileContainingSymbol: 'firetower.v1.Firetower' });
    const descriptors = file.fileDescriptorResponse?.fileDescriptorProto ?? [];
    expect(descriptors.length).toBeGreaterThan(0);
    expect(Buffer.concat(descriptors).toString('latin1')).toContain('PublishStream');
    client.close();
  });
});

describe('close()', () => {
  it('turns health NOT_SERVING for watchers, ends WatchTopic with UNAVAILABLE and refuses new calls', async () => {
    const own = await startStack();
    const Health = own.client.health as unknown as Record<string, (r: object) => grpc.ClientReadableStream<{ status: string }>>;
    const healthWatch = Health.Watch!.call(own.client.health, { service: '' });
    const statuses: string[] = [];
    healthWatch.on('data', (reply: { status: string }) => statuses.push(reply.status));
    const healthEnded = new Promise<void>((resolve) => healthWatch.on('status', () => resolve()));

    const topicWatch = own.client.serverStream('WatchTopic', { topic: '/h/x' });
    const counts: unknown[] = [];
    topicWatch.on('data', (reply) => counts.push(reply));
    const topicError = new Promise<grpc.ServiceError>((resolve) => topicWatch.on('error', resolve));
    await waitFor(() => statuses.length === 1 && counts.length === 1, 5000);
    expect(statuses).toEqual(['SERVING']);

    const closed = own.grpc.close();
    expect(own.grpc.state).toBe('closing');
    expect((await topicError).code).toBe(grpc.status.UNAVAILABLE);
    await healthEnded;
    expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
    await closed;
    expect(own.grpc.state).toBe('closed');
    const after = await refusal(own.client.unary('GetTopic', { topic: '/h/x' }, { deadlineMs: 2000 }));
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(after.code);
    await own.close();
  });
});
