import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@firetower/protocol';
import { connect, waitFor, type TestClient } from '@firetower/server/testing';
import { fuzzParameters, hostileFrameText } from '../../protocol/test/hostile-frames.js';

/**
 * Fuzzed frames over real sockets into a server in its own process, while a bystander on another
 * connection must keep receiving every message. A crash would end the process; an unexpected
 * exception would close the attacker with 1011 and show in the server's errors. The server runs
 * the built package, as an app would.
 */
const SERVER = fileURLToPath(new URL('./fixtures/fuzz-server.mjs', import.meta.url));
/** Close codes a hostile client may legitimately earn; 1011 (a server bug) is not one of them. */
const EXPECTED_CLOSES = new Set<number>([CloseCode.MessageTooBig, CloseCode.InvalidPayload, CloseCode.PolicyViolation]);

let child: ChildProcess;
let port = 0;
let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
let framesSent = 0;

beforeAll(async () => {
  child = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.on('exit', (code, signal) => (exited = { code, signal }));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /port=(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`fuzz server exited before listening: ${out}`)));
  });
});

afterAll(async () => {
  if (!exited) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  console.log(`live fuzz: ${framesSent} hostile frames sent`);
});

async function serverErrors(): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${port}/fuzz-stats`);
  return ((await res.json()) as { errors: string[] }).errors;
}

describe('a live server under fuzzed frames', () => {
  it(
    'answers every frame, never crashes, never closes with 1011, and the bystander gets every message',
    async () => {
      const url = `ws://127.0.0.1:${port}/ws`;
      const bystander = await connect(url);
      const publisher = await connect(url);
      expect(await bystander.request({ type: 'subscribe', topic: '/fuzz/bystander' })).toMatchObject({ type: 'ack' });
      let published = 0;

      await fc.assert(
        fc.asyncProperty(fc.array(hostileFrameText, { minLength: 10, maxLength: 60 }), async (frames) => {
          const attacker: TestClient = await connect(url);
          try {
            for (const frame of frames) attacker.send(frame);
            framesSent += frames.length;
            // A request after the garbage: its answer means every frame before it was handled.
            const sentinel = `sentinel-${framesSent}`;
            attacker.send({ type: 'subscribe', topic: '/fuzz/sentinel', id: sentinel });
            const outcome = await Promise.race([
              attacker.next((f) => f.id === sentinel, 10_000).then((f) => ({ reply: f.type })),
              attacker.closed.then((info) => ({ closed: info.code })),
            ]);
            if ('closed' in outcome) expect(EXPECTED_CLOSES.has(outcome.closed), `closed with ${outcome.closed}`).toBe(true);
            else expect(outcome.reply).toBe('ack');
            expect(exited).toBeUndefined();
            // The bystander saw nothing of it and still gets every message.
            publisher.send({ type: 'publish', topic: '/fuzz/bystander', data: { n: published } });
            expect((await bystander.nextDelivery('/fuzz/bystander', 10_000)).data).toEqual({ n: published });
            published++;
          } finally {
            attacker.ws.terminate();
          }
        }),
        fuzzParameters(300),
      );

      expect(await serverErrors()).toEqual([]);
      expect(bystander.received.filter((f) => f.type === 'error')).toEqual([]);
      await waitFor(() => exited === undefined, 1_000, 'server alive');
      bystander.ws.terminate();
      publisher.ws.terminate();
    },
    process.env.FUZZ_RUNS ? 3_600_000 : 120_000,
  );
});
