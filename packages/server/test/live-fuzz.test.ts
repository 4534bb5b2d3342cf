import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, DEFAULT_LIMITS } from '@firetower/protocol';
import { connect, waitFor, type TestClient, type TestFrame } from '@firetower/server/testing';
import { fuzzParameters, hostileFrameText } from '../../protocol/test/hostile-frames.js';

/**
 * Fuzzed frames over real sockets into servers in their own processes, while a bystander on another
 * connection must keep receiving every message. A crash would end the process; an unexpected
 * exception would close the attacker with 1011 and show in the server's errors. The servers run
 * the built package, as an app would: one with the default options, one with `compression` on
 * (permessage-deflate). On the second, most attackers negotiate permessage-deflate and send their
 * frames compressed (ws inflates them, bounded by maxFrameBytes, before Firetower sees them, and
 * the server frees the connection's inflater after each message): compressed frames that inflate
 * past the limit, fragmented compressed messages, and hand-made RSV1 frames of invalid DEFLATE.
 * The bystander there negotiated it too and gets its deliveries as shared compressed frames.
 */
const SERVER = fileURLToPath(new URL('./fixtures/fuzz-server.mjs', import.meta.url));
const MAX_FRAME_BYTES = DEFAULT_LIMITS.maxFrameBytes;
/** Close codes a hostile client may legitimately earn; 1011 (a server bug) is not one of them. */
const EXPECTED_CLOSES = new Set<number>([CloseCode.MessageTooBig, CloseCode.InvalidPayload, CloseCode.PolicyViolation, CloseCode.ProtocolError]);

interface FuzzServer {
  readonly name: 'plain' | 'compressed';
  readonly child: ChildProcess;
  readonly port: number;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves when the process exits. */
  readonly exit: Promise<void>;
}

const servers: FuzzServer[] = [];
const sent = { frames: 0, compressed: 0, raw: 0 };
const closes = new Map<string, number>();
/** Frames each server read (its messagesInTotal): what a run sends after a frame that closes it is not read. */
const framesRead: Record<string, number> = {};

async function startServer(name: FuzzServer['name']): Promise<FuzzServer> {
  const child = spawn(process.execPath, [SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FUZZ_COMPRESSION: name === 'compressed' ? '1' : '0' },
  });
  const exitedEarly = new Promise<never>((_, reject) => child.once('exit', () => reject(new Error(`${name} fuzz server exited before listening`))));
  const port = await Promise.race([
    exitedEarly,
    new Promise<number>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /port=(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
    }),
  ]);
  exitedEarly.catch(() => undefined);
  let exit!: () => void;
  const server: FuzzServer = { name, child, port, exited: undefined, exit: new Promise<void>((resolve) => (exit = resolve)) };
  child.on('exit', (code, signal) => {
    server.exited = { code, signal };
    exit();
  });
  servers.push(server);
  return server;
}

let plain: FuzzServer;
let compressed: FuzzServer;

beforeAll(async () => {
  [plain, compressed] = await Promise.all([startServer('plain'), startServer('compressed')]);
});

afterAll(async () => {
  await Promise.all(
    servers.map(async (server) => {
      if (server.exited) return;
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }),
  );
  console.log(
    `live fuzz: ${sent.frames} hostile frames sent (${sent.compressed} compressed, ${sent.raw} hand-made RSV1), read by the servers ${JSON.stringify(framesRead)}; outcomes ${JSON.stringify(Object.fromEntries(closes))}`,
  );
});

/** The server's errors (onError) and how many frames it read. */
async function fuzzStats(server: FuzzServer): Promise<{ errors: string[]; stats: { messagesInTotal: number } }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/fuzz-stats`);
  return (await res.json()) as { errors: string[]; stats: { messagesInTotal: number } };
}

/** `promise`, unless the server's process exits first: then a failure that says so, instead of a timeout. */
function whileAlive<T>(server: FuzzServer, promise: Promise<T>): Promise<T> {
  const died = server.exit.then((): never => {
    throw new Error(`the ${server.name} fuzz server exited (${JSON.stringify(server.exited)}): see its stderr above`);
  });
  return Promise.race([promise, died]);
}

// ---- what an attacker sends ----

/** RFC 7692 §7.2.1: DEFLATE the message on its own, end with a sync flush, drop its 00 00 ff ff tail. */
function deflateMessage(text: string | Buffer): Buffer {
  const out = deflateRawSync(text, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

/**
 * One client frame made by hand (ws's Sender is not used): FIN, RSV1 (compressed), opcode 1
 * (text), the MASK bit with the payload length, a 4-byte mask, and the masked payload.
 */
function rsv1TextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | 0x40 | 0x01;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65_536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

/** The close codes an action can earn: `must` when it always closes the connection, `may` when it can. */
interface Verdict {
  must?: number;
  may?: readonly number[];
}

/** One frame (or message) of an attacker's. */
type Frame =
  | { kind: 'text'; text: string }
  | { kind: 'fragments'; parts: string[] }
  | { kind: 'bytes'; bytes: Buffer; binary: boolean }
  /** A hand-made RSV1 frame: `text` compressed, or DEFLATE that is surely `invalid`, or maybe so. */
  | { kind: 'raw'; payload: Buffer; text?: string; invalid?: boolean };

/** A frame and, for a client that negotiated permessage-deflate, whether to send it compressed (ignored otherwise). */
type Action = Frame & { compress: boolean };

const sizeVerdict = (bytes: number): Verdict => (bytes > MAX_FRAME_BYTES ? { must: CloseCode.MessageTooBig } : {});

/** What the server must (or may) do with an action, on a connection that did or did not negotiate deflate. */
function verdictOf(action: Action, deflate: boolean): Verdict {
  switch (action.kind) {
    case 'text':
      return sizeVerdict(Buffer.byteLength(action.text));
    case 'fragments':
      return sizeVerdict(action.parts.reduce((total, part) => total + Buffer.byteLength(part), 0));
    case 'bytes':
      if (action.binary) return { must: CloseCode.PolicyViolation };
      return isUtf8(action.bytes) ? {} : { must: CloseCode.InvalidPayload };
    case 'raw':
      // RSV1 without the extension negotiated is a protocol error (RFC 6455 §5.2).
      if (!deflate) return { must: CloseCode.ProtocolError };
      if (action.text !== undefined) return sizeVerdict(Buffer.byteLength(action.text));
      if (action.invalid) return { must: CloseCode.InvalidPayload };
      // Random or mangled DEFLATE: an inflate error, invalid UTF-8, or (mangled long input) too big.
      return { may: [CloseCode.InvalidPayload, CloseCode.MessageTooBig] };
  }
}

/**
 * Hostile frames up to maxFrameBytes. The deep JSON among them reaches past it (about one frame in
 * 25): two runs in three used to end at its 1009, a third of all frames unread. Frames past the
 * limit are now what a run may end with (`finalAction`), so the server reads a run to its end.
 */
const hostileText = hostileFrameText.filter((text) => Buffer.byteLength(text) <= MAX_FRAME_BYTES);

/** Text that inflates to `size` bytes from a few hundred compressed ones (a zip bomb near and past the limit). */
const bombText = fc
  .record({
    size: fc.oneof(fc.integer({ min: MAX_FRAME_BYTES - 16, max: MAX_FRAME_BYTES + 16 }), fc.integer({ min: MAX_FRAME_BYTES, max: 8 * MAX_FRAME_BYTES })),
    shape: fc.constantFrom('publish', 'topic', 'junk'),
  })
  .map(({ size, shape }) => {
    const [head, tail] =
      shape === 'publish'
        ? ['{"type":"publish","topic":"/fuzz/a","data":"', '"}']
        : shape === 'topic'
          ? ['{"type":"subscribe","topic":"/fuzz/', '"}']
          : ['', ''];
    return head + 'a'.repeat(Math.max(0, size - head.length - tail.length)) + tail;
  });

/** One message in 2–4 fragments (compressed as one message with the extension: RSV1 on the first only). */
const fragmented = (texts: fc.Arbitrary<string>) =>
  fc.tuple(texts, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 })).map(([text, cuts]) => {
    const offsets = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
    const parts: string[] = [];
    let from = 0;
    for (const offset of offsets) {
      parts.push(text.slice(from, offset));
      from = offset;
    }
    parts.push(text.slice(from));
    return parts;
  });

/** A hand-made RSV1 frame of valid DEFLATE: a hostile frame, compressed as ws would. */
const rawValid = hostileText.map((text) => ({ payload: deflateMessage(text), text }));

/** The payload of a hand-made RSV1 frame of broken DEFLATE: invalid, random, mangled or cut short. */
const rawBroken = fc.oneof(
  // BTYPE 11 is reserved (RFC 1951 §3.2.3): zlib rejects the first block, whatever follows.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(0x06, 0x07), fc.uint8Array({ maxLength: 40 }))
      .map(([first, rest]) => ({ payload: Buffer.from([first, ...rest]), invalid: true })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ payload: Buffer.from(bytes) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(hostileFrameText, fc.nat(), fc.nat({ max: 255 }), fc.boolean()).map(([text, at, byte, truncate]) => {
      const payload = Buffer.from(deflateMessage(text));
      if (truncate) return { payload: payload.subarray(0, at % (payload.length + 1)) };
      const i = at % payload.length;
      payload[i] = payload[i]! ^ (byte || 1);
      return { payload };
    }),
  },
);

const compressFlag = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const withCompress = (frames: fc.WeightedArbitrary<Frame>[]): fc.Arbitrary<Action> =>
  fc.tuple(fc.oneof(...frames), compressFlag).map(([frame, compress]) => ({ ...frame, compress }));

/**
 * The frames of a run: hostile frames as before, some in fragments, and on a deflate connection
 * some hand-made RSV1 frames of valid DEFLATE. None closes the connection, so every frame is handled.
 */
const bodyAction = (deflate: boolean): fc.Arbitrary<Action> =>
  withCompress([
    { weight: 12, arbitrary: hostileText.map((text) => ({ kind: 'text' as const, text })) },
    { weight: 2, arbitrary: fragmented(hostileText).map((parts) => ({ kind: 'fragments' as const, parts })) },
    ...(deflate ? [{ weight: 1, arbitrary: rawValid.map((raw) => ({ kind: 'raw' as const, ...raw })) }] : []),
  ]);

/**
 * What may end a run, last so that it cuts no other frame short: a text inflating near or past
 * maxFrameBytes (whole or in fragments), bytes that are not UTF-8 or a binary frame, a hand-made
 * RSV1 frame of broken DEFLATE (or, without the extension, any RSV1 frame).
 */
const finalAction = (deflate: boolean): fc.Arbitrary<Action> =>
  withCompress([
    { weight: 3, arbitrary: fc.oneof(bombText, hostileFrameText).map((text) => ({ kind: 'text' as const, text })) },
    { weight: 1, arbitrary: fragmented(bombText).map((parts) => ({ kind: 'fragments' as const, parts })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 64 }), fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }))
        .map(([bytes, binary]) => ({ kind: 'bytes' as const, bytes: Buffer.from(bytes), binary })),
    },
    { weight: deflate ? 3 : 1, arbitrary: fc.oneof(rawBroken, rawValid).map((raw) => ({ kind: 'raw' as const, ...raw })) },
  ]);

/** A run: who attacks (on the plain server as before, or on the compressed one, mostly with the extension) and what they send. */
const attack = fc
  .oneof(
    { weight: 4, arbitrary: fc.constant({ target: 'plain' as const, deflate: false }) },
    { weight: 3, arbitrary: fc.constant({ target: 'compressed' as const, deflate: true }) },
    { weight: 1, arbitrary: fc.constant({ target: 'compressed' as const, deflate: false }) },
  )
  .chain(({ target, deflate }) =>
    fc
      .tuple(fc.array(bodyAction(deflate), { minLength: 10, maxLength: 60 }), fc.option(finalAction(deflate), { freq: 2 }))
      .map(([body, last]) => ({ target, deflate, actions: last === null ? body : [...body, last] })),
  );

/** A raw ws client (permessage-deflate offered or not), not the testing client: it compresses every frame it is told to. */
interface Attacker {
  readonly ws: WebSocket;
  readonly closed: Promise<number>;
  reply(id: string, timeoutMs: number): Promise<TestFrame>;
}

function openAttacker(url: string, deflate: boolean): Promise<Attacker> {
  const ws = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false });
  const frames: TestFrame[] = [];
  let waiter: ((frame: TestFrame) => void) | undefined;
  ws.on('message', (data) => {
    let frame: TestFrame;
    try {
      frame = JSON.parse((data as Buffer).toString()) as TestFrame;
    } catch {
      return;
    }
    frames.push(frame);
    waiter?.(frame);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const attacker: Attacker = {
    ws,
    closed,
    reply: (id, timeoutMs) =>
      new Promise<TestFrame>((resolve, reject) => {
        const found = frames.find((f) => f?.id === id);
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`no answer to ${id} within ${timeoutMs} ms`)), timeoutMs);
        void closed.then(() => clearTimeout(timer));
        waiter = (frame) => {
          if (frame?.id !== id) return;
          clearTimeout(timer);
          resolve(frame);
        };
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(attacker));
    ws.once('error', reject);
  });
}

/**
 * Send one action; the promise resolves when ws has written it (compression is asynchronous, ws
 * keeps its own frames in order). A hand-made frame goes straight to the socket: the caller waits
 * for what came before it to be written first.
 */
function perform(attacker: Attacker, act: Action, deflate: boolean): Promise<void> {
  const { ws } = attacker;
  const compress = deflate && act.compress;
  const send = (data: string | Buffer, options: { fin?: boolean; binary?: boolean } = {}) =>
    new Promise<void>((resolve) => ws.send(data, { compress, ...options }, () => resolve()));
  if (compress && act.kind !== 'raw') sent.compressed++;
  switch (act.kind) {
    case 'text':
      return send(act.text);
    case 'fragments':
      return Promise.all(act.parts.map((part, i) => send(part, { fin: i === act.parts.length - 1 }))).then(() => undefined);
    case 'bytes':
      return send(act.bytes, { binary: act.binary });
    case 'raw': {
      sent.raw++;
      const socket = (ws as unknown as { _socket: Socket })._socket;
      if (ws.readyState !== WebSocket.OPEN || socket.destroyed) return Promise.resolve();
      return new Promise<void>((resolve) => socket.write(rsv1TextFrame(act.payload), () => resolve()));
    }
  }
}

function count(key: string): void {
  closes.set(key, (closes.get(key) ?? 0) + 1);
}

describe('live servers under fuzzed frames', () => {
  it(
    'answers every frame, never crashes, never closes with 1011 or without cause, and the bystanders get every message',
    async () => {
      const url = (server: FuzzServer) => `ws://127.0.0.1:${server.port}/ws`;
      const watched = new Map<FuzzServer, { bystander: TestClient; publisher: TestClient; published: number }>();
      for (const server of [plain, compressed]) {
        const bystander = await connect(url(server));
        const publisher = await connect(url(server));
        expect(await whileAlive(server, bystander.request({ type: 'subscribe', topic: '/fuzz/bystander' }))).toMatchObject({ type: 'ack' });
        watched.set(server, { bystander, publisher, published: 0 });
      }
      // The testing client offers permessage-deflate: on the compressed server the bystander gets shared compressed frames.
      expect(watched.get(compressed)!.bystander.ws.extensions).toContain('permessage-deflate');
      expect(watched.get(plain)!.bystander.ws.extensions).toBe('');

      await fc.assert(
        fc.asyncProperty(attack, async ({ target, deflate, actions }) => {
          const server = target === 'plain' ? plain : compressed;
          const attacker = await whileAlive(server, openAttacker(url(server), deflate));
          try {
            // The extension is what this run is about: a server that stopped negotiating it would make it a plain run.
            expect(attacker.ws.extensions.includes('permessage-deflate'), 'permessage-deflate negotiated').toBe(deflate);
            let written: Promise<void> = Promise.resolve();
            for (const act of actions) {
              if (act.kind === 'raw') await written;
              written = perform(attacker, act, deflate);
            }
            sent.frames += actions.length;
            // A request after the garbage: its answer means every frame before it was handled.
            const sentinel = `sentinel-${sent.frames}`;
            attacker.ws.send(JSON.stringify({ type: 'subscribe', topic: '/fuzz/sentinel', id: sentinel }), { compress: deflate });
            const outcome = await whileAlive(
              server,
              Promise.race([attacker.reply(sentinel, 10_000).then((f) => ({ reply: f.type })), attacker.closed.then((code) => ({ closed: code }))]),
            );
            const verdicts = actions.map((a) => verdictOf(a, deflate));
            const must = verdicts.flatMap((v) => (v.must === undefined ? [] : [v.must]));
            if ('closed' in outcome) {
              count(`${target}${deflate ? '+deflate' : ''}:${outcome.closed}`);
              expect(EXPECTED_CLOSES.has(outcome.closed), `closed with ${outcome.closed}`).toBe(true);
              // Every close has a cause among the frames sent: 1009 a frame (inflating) past maxFrameBytes, 1007 bad UTF-8 or DEFLATE...
              const causes = new Set(verdicts.flatMap((v) => [...(v.must === undefined ? [] : [v.must]), ...(v.may ?? [])]));
              expect(causes.has(outcome.closed), `closed with ${outcome.closed} without a frame that earns it`).toBe(true);
            } else {
              count(`${target}${deflate ? '+deflate' : ''}:answered`);
              expect(outcome.reply).toBe('ack');
              // ...and a frame that must close the connection did (a compressed frame inflating past the limit included).
              expect(must, 'frames that must close the connection').toEqual([]);
            }
            expect(server.exited).toBeUndefined();
            // The bystander saw nothing of it and still gets every message (compressed, on the compressed server).
            const watch = watched.get(server)!;
            const data = { n: watch.published, pad: server === compressed ? 'x'.repeat(400) : undefined };
            watch.publisher.send({ type: 'publish', topic: '/fuzz/bystander', data });
            expect((await whileAlive(server, watch.bystander.nextDelivery('/fuzz/bystander', 10_000))).data).toEqual(JSON.parse(JSON.stringify(data)));
            watch.published++;
          } finally {
            attacker.ws.terminate();
          }
        }),
        // 300 runs: the plain server reads about as many hostile frames as before the compressed one was added.
        fuzzParameters(300),
      );

      for (const [server, { bystander, publisher }] of watched) {
        const { errors, stats } = await fuzzStats(server);
        expect(errors, `${server.name} server errors`).toEqual([]);
        framesRead[server.name] = stats.messagesInTotal;
        expect(bystander.received.filter((f) => f.type === 'error')).toEqual([]);
        await waitFor(() => server.exited === undefined, 1_000, `${server.name} server alive`);
        bystander.ws.terminate();
        publisher.ws.terminate();
      }
    },
    process.env.FUZZ_RUNS ? 3_600_000 : 120_000,
  );
});
