/**
 * A load-generator worker thread: its share of the subscribers and publishers, driven by the main
 * thread through phases (connect → probe → go → report). Counters that other threads need live in
 * shared memory; everything else stays local.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LatencyHistogram } from '../stats.js';
import { BenchConnection, type DeliveryPosition, type Payload, type SubscribeOptions } from './connection.js';
import { payloadJson, SeededRandom } from './payload.js';
import { createPublishChannel, type PublishChannel } from './push-channel.js';
import { publisherOfTopic, publisherSlots, subscriberSlots, subscribersPerTopic, topicName, type PublisherSlot, type SubscriberSlot } from './layout.js';
import { countersOf, now, type MainToWorker, type RecoveryReport, type WorkerInit, type WorkerToMain } from './messages.js';
import { RecoveringSubscriber } from './recovery.js';

const { worker, plan, buffers } = workerData as WorkerInit;
const port = parentPort!;
const counters = countersOf(buffers);
const scenario = plan.scenario;
const perTopic = subscribersPerTopic(plan);
const histogram = new LatencyHistogram();
const PROBE_INTERVAL_MS = 50;
const RATE_TICK_MS = 5;

function post(message: WorkerToMain): void {
  port.postMessage(message);
}

// ---- publishers ------------------------------------------------------------------------------

type PublisherState = 'idle' | 'running' | 'done';

interface Publisher {
  slot: PublisherSlot;
  channel?: PublishChannel;
  state: PublisherState;
  /** Probe messages sent (acknowledged like any other, but not measured). */
  probes: number;
  /** Deliveries its measured messages should cause (messages × subscribers per topic). */
  owedDeliveries: number;
  seq: number;
  /** Measured messages sent (seq counts the probes too). */
  measured: number;
  nextTopic: number;
  retry?: NodeJS.Timeout;
  /** Seeded by the publisher's index: every target gets the same payloads in the same order. */
  random: SeededRandom;
}

const publishers: Publisher[] = publisherSlots(plan, worker).map((slot) => ({
  slot,
  state: 'idle',
  probes: 0,
  owedDeliveries: 0,
  seq: 0,
  measured: 0,
  nextTopic: 0,
  random: new SeededRandom(1 + slot.index),
}));
/** Local publisher of each topic, to pump its window as soon as deliveries arrive here. */
const localPublisherOfTopic = new Map<number, Publisher>();
for (const pub of publishers) for (const t of pub.slot.topics) localPublisherOfTopic.set(t, pub);

let endAt = Number.POSITIVE_INFINITY;

function send(pub: Publisher, topic: number, probe: 0 | 1): void {
  const data = payloadJson({ kind: scenario.payload, bytes: scenario.payloadBytes, ts: now(), seq: pub.seq++, probe, topic, random: pub.random });
  pub.channel!.publish(topicName(topic), data);
  Atomics.add(counters.publishedByTopic, topic, 1);
  if (probe === 1) pub.probes++;
  else {
    pub.measured++;
    pub.owedDeliveries += perTopic;
    Atomics.add(counters.sentByPublisher, pub.slot.index, 1);
    Atomics.add(counters.sentByTopic, topic, 1);
  }
}

/** The publisher sent its last measured message: the main thread drains only once all have. */
function finishPublisher(pub: Publisher): void {
  pub.state = 'done';
  Atomics.add(counters.publishersDone, 0, 1);
}

function sendNext(pub: Publisher): void {
  const topics = pub.slot.topics;
  send(pub, topics[pub.nextTopic]!, 0);
  pub.nextTopic = (pub.nextTopic + 1) % topics.length;
}

/**
 * Window mode: publish while fewer than `window` messages' deliveries are outstanding and the
 * publisher's door (gRPC flow control, HTTP requests in flight) takes more.
 */
function pump(pub: Publisher): void {
  if (pub.state !== 'running') return;
  const channel = pub.channel!;
  const limit = scenario.window * perTopic;
  for (;;) {
    if (now() >= endAt) {
      finishPublisher(pub);
      channel.flush(true);
      return;
    }
    if (pub.owedDeliveries - Atomics.load(counters.deliveredByPublisher, pub.slot.index) >= limit) break;
    if (!channel.writable()) {
      channel.flush();
      channel.onWritable(() => pump(pub));
      return;
    }
    sendNext(pub);
  }
  channel.flush();
  // Deliveries may arrive in another thread: look again soon.
  pub.retry ??= setTimeout(() => {
    pub.retry = undefined;
    pump(pub);
  }, 1);
}

function startRate(pub: Publisher, startAt: number): void {
  const timer = setInterval(() => {
    const t = now();
    const due = Math.floor(((Math.min(t, endAt) - startAt) * scenario.ratePerSec) / 1000);
    while (pub.measured < due) sendNext(pub);
    pub.channel!.flush(true);
    if (t >= endAt) {
      finishPublisher(pub);
      clearInterval(timer);
    }
  }, RATE_TICK_MS);
}

// ---- subscribers -----------------------------------------------------------------------------

interface Subscriber {
  slot: SubscriberSlot;
  conn?: BenchConnection;
  probed: boolean;
  received: number;
  /** recovery: its offsets and its recovery across the drop. */
  recovery?: RecoveringSubscriber;
}

const recovering = scenario.dropAfterMs > 0;
const subscribers: Subscriber[] = subscriberSlots(plan, worker).map((slot) => ({
  slot,
  probed: false,
  received: 0,
  ...(recovering
    ? { recovery: new RecoveringSubscriber(topicName(slot.topic), counters.recovery, () => Atomics.load(counters.publishedByTopic, slot.topic)) }
    : {}),
}));

/** `generation`: which of the subscriber's connections it came on (recovery drops the first). */
function onData(sub: Subscriber, data: Payload, position: DeliveryPosition, generation: number): void {
  if (sub.recovery !== undefined && !sub.recovery.deliver(generation, position)) return;
  const topic = sub.slot.topic;
  if (data.w === 1) {
    if (!sub.probed) {
      sub.probed = true;
      Atomics.add(counters.probedByTopic, topic, 1);
    }
    return;
  }
  sub.received++;
  Atomics.add(counters.deliveredByPublisher, publisherOfTopic(plan, topic), 1);
  histogram.record(now() - data.ts);
  const pub = localPublisherOfTopic.get(topic);
  if (pub !== undefined && pub.retry !== undefined && scenario.mode === 'window') pump(pub);
}

// ---- phases ----------------------------------------------------------------------------------

/**
 * Connects step `step` of `steps`: the publishers (step 0 only) and an equal share of the
 * subscribers (the idle scenario reads memory after every step).
 */
async function connectStep(step: number, steps: number): Promise<void> {
  type Job = () => { ready: Promise<void> };
  const jobs: Job[] = [];
  if (step === 0) {
    for (const pub of publishers) jobs.push(() => (pub.channel = createPublishChannel(plan)));
  }
  const share = (k: number): number => Math.floor((k * subscribers.length) / steps);
  const mine = subscribers.slice(share(step), share(step + 1));
  for (const sub of mine) {
    jobs.push(() => {
      sub.conn = new BenchConnection(plan.nodeUrls[sub.slot.node]!, plan.dialect, (data, position) => onData(sub, data, position, 0), {
        deflate: scenario.deflate,
        ...(scenario.sourceAddresses > 1 ? { localAddress: sourceAddress(sub.slot.index) } : {}),
      });
      void sub.conn.ready.then(
        () => sub.conn!.subscribe(topicName(sub.slot.topic)),
        () => undefined,
      );
      return sub.conn;
    });
  }
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  // A bounded number of handshakes in flight: a burst of thousands overflows the listen backlog.
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const conn = jobs[next++]!();
      try {
        await conn.ready;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.connectConcurrency }, lane));
  const answer: WorkerToMain = { event: 'connected', failed, subscribers: mine.length };
  if (firstError !== undefined) answer.firstError = firstError;
  post(answer);
}

/** 127.0.0.1, 127.0.0.2 …: Linux routes all of 127.0.0.0/8 to the loopback interface. */
function sourceAddress(subscriber: number): string {
  return `127.0.0.${1 + (subscriber % scenario.sourceAddresses)}`;
}

let probeTimer: NodeJS.Timeout | undefined;

function probeRound(): void {
  for (const pub of publishers) {
    const failure = pub.channel!.failure();
    if (failure !== undefined) {
      clearInterval(probeTimer);
      post({ event: 'error', message: failure.message });
      return;
    }
    for (const t of pub.slot.topics) {
      if (Atomics.load(counters.probedByTopic, t) < perTopic) send(pub, t, 1);
    }
    pub.channel!.flush(true);
  }
}

/** Bytes the subscribers had read when the measured window opened. */
let bytesAtGo = 0;

const bytesRead = (): number => subscribers.reduce((sum, sub) => sum + (sub.conn?.bytesRead ?? 0), 0);

function go(until: number): void {
  endAt = until;
  bytesAtGo = bytesRead();
  const startAt = now();
  for (const pub of publishers) {
    pub.state = 'running';
    if (scenario.mode === 'window') pump(pub);
    else if (scenario.mode === 'rate') startRate(pub, startAt);
    else finishPublisher(pub);
  }
}

async function report(): Promise<void> {
  // Every acknowledgement is in before the counts are read (the drain already waited for the deliveries).
  const acknowledged = await Promise.all(publishers.map((pub) => pub.channel!.finish()));
  const accepted = acknowledged.reduce((sum, acks, i) => sum + acks - publishers[i]!.probes, 0);
  if (process.env.BENCH_DEBUG) {
    process.stderr.write(`worker ${worker}: subs ${subscribers.length} p50 ${histogram.quantile(0.5)} p0 ${histogram.quantile(0)} max ${histogram.max}\n`);
  }
  let lost = 0;
  let duplicates = 0;
  let delivered = 0;
  for (const sub of subscribers) {
    const expected = Atomics.load(counters.sentByTopic, sub.slot.topic);
    delivered += sub.received;
    if (sub.received < expected) lost += expected - sub.received;
    else duplicates += sub.received - expected;
  }
  const recovery = recovering ? recoveryReport() : undefined;
  if (recovery !== undefined) ({ lost, duplicates } = recovery);
  const counts = histogram.counts;
  const wireBytes = bytesRead() - bytesAtGo;
  const deflateNegotiated = subscribers.filter((sub) => sub.conn?.deflate === true).length;
  port.postMessage(
    {
      event: 'report',
      report: {
        latencyCounts: counts,
        latencyMax: histogram.max,
        latencyTotal: histogram.total,
        lost,
        duplicates,
        delivered,
        accepted,
        wireBytes,
        deflateNegotiated,
        ...(recovery !== undefined ? { recovery } : {}),
      },
    } satisfies WorkerToMain,
    [counts.buffer as ArrayBuffer],
  );
}

/** Closes every subscriber and publisher of this worker (terminate: the server sees the TCP close). */
function closeAll(): void {
  let closed = 0;
  for (const sub of subscribers) {
    if (sub.conn === undefined) continue;
    sub.conn.close();
    closed++;
  }
  for (const pub of publishers) {
    pub.channel?.close();
    closed++;
  }
  post({ event: 'closed', connections: closed });
}

// ---- recovery ---------------------------------------------------------------------------------

const RECONNECT_RETRY_MS = 100;
const RECONNECT_ATTEMPTS = 50;
let reconnectFailures = 0;

/**
 * recovery: every subscriber's socket is terminated in one go (no close frame: the server sees the
 * TCP connection end), then all reconnect right away and resubscribe with `since` = the last
 * position each saw. As in the connect phase, at most `connectConcurrency` handshakes per worker
 * are in flight: 1,000 at once overflow the server's listen backlog (511 in Node), and the
 * kernel's SYN-ACK retransmits (1 s, 3 s …) would be what is measured. A failed handshake is
 * retried after RECONNECT_RETRY_MS.
 */
function dropAll(dropAt: number): void {
  const queue = subscribers.map((sub) => ({ sub, resubscribe: sub.recovery!.drop(dropAt), attempts: RECONNECT_ATTEMPTS }));
  for (const sub of subscribers) sub.conn?.close();
  const lane = async (): Promise<void> => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      if (!(await reconnect(job.sub, job.resubscribe))) {
        reconnectFailures++;
        // Back in the queue after a pause; a lane more in case every lane has finished meanwhile.
        if (--job.attempts > 0)
          setTimeout(() => {
            queue.push(job);
            void lane();
          }, RECONNECT_RETRY_MS);
      }
    }
  };
  for (let i = 0; i < plan.connectConcurrency; i++) void lane();
}

/** One reconnect: resolves true once the socket is open and the resubscribe sent. */
async function reconnect(sub: Subscriber, resubscribe: SubscribeOptions): Promise<boolean> {
  const recovery = sub.recovery!;
  const generation = recovery.generation;
  const conn = new BenchConnection(plan.nodeUrls[sub.slot.node]!, plan.dialect, (data, position) => onData(sub, data, position, generation), {
    deflate: scenario.deflate,
    onAck: (ack) => recovery.ack(generation, ack),
  });
  sub.conn = conn;
  try {
    await conn.ready;
  } catch {
    return false;
  }
  conn.subscribe(topicName(sub.slot.topic), resubscribe);
  return true;
}

let debugged = 0;

function recoveryReport(): RecoveryReport {
  const report: RecoveryReport = {
    recoveryMs: [],
    ackMs: [],
    notRecovered: {},
    incomplete: 0,
    missed: 0,
    expected: 0,
    received: 0,
    lost: 0,
    duplicates: 0,
    silentLost: 0,
    silentDuplicates: 0,
    reconnectFailures,
  };
  for (const sub of subscribers) {
    const r = sub.recovery!;
    if (r.recovered) report.recoveryMs.push(r.recoveryMs);
    else report.incomplete++;
    if (!Number.isNaN(r.ackMs)) report.ackMs.push(r.ackMs);
    if (r.notRecovered !== undefined) report.notRecovered[r.notRecovered] = (report.notRecovered[r.notRecovered] ?? 0) + 1;
    report.missed += r.missed;
    const tally = r.log.tally(Atomics.load(counters.publishedByTopic, sub.slot.topic));
    report.expected += tally.expected;
    report.received += tally.received;
    report.lost += tally.lost;
    report.duplicates += tally.duplicates;
    if (!Number.isNaN(r.ackMs) && r.notRecovered === undefined) {
      report.silentLost += tally.lost;
      report.silentDuplicates += tally.duplicates;
      if (process.env.BENCH_DEBUG && tally.lost + tally.duplicates > 0 && debugged++ < 5) {
        const { log } = r;
        process.stderr.write(
          `worker ${worker} client ${sub.slot.index} ${topicName(sub.slot.topic)}: since ${r.since} ack ${JSON.stringify(r.ackStream)} marker ${r.marker} ` +
            `first ${log.first} last ${log.last} contiguous ${log.contiguous} final ${Atomics.load(counters.publishedByTopic, sub.slot.topic)} ` +
            `unexpected ${log.unexpected} lost ${tally.lost} doubled ${log.doubled(10).join(' ')}\n`,
        );
      }
    }
  }
  return report;
}

port.on('message', (message: MainToWorker) => {
  switch (message.cmd) {
    case 'connect':
      connectStep(message.step, message.steps).catch((error: Error) => post({ event: 'error', message: error.message }));
      return;
    case 'probe':
      probeRound();
      probeTimer = setInterval(probeRound, PROBE_INTERVAL_MS);
      return;
    case 'stop-probe':
      clearInterval(probeTimer);
      return;
    case 'go':
      go(message.endAt);
      return;
    case 'report':
      report().catch((error: Error) => post({ event: 'error', message: error.message }));
      return;
    case 'close':
      closeAll();
      return;
    case 'drop':
      dropAll(message.dropAt);
      return;
    case 'final':
      for (const sub of subscribers) sub.recovery?.setFinal(message.finals[sub.slot.topic]!);
      return;
  }
});
