/** The cluster-broker core on its own: states, local-first delivery, the outage buffer, problems, backoff. */
import { describe, expect, it } from 'vitest';
import {
  backoff,
  BrokerLifecycleError,
  BrokerOverflowError,
  ClusterCore,
  type BrokerMessage,
  type BrokerStateChange,
  type ControlCommand,
} from '@firetower/server';
import { RecordingNode } from '@firetower/server/testing';

type Entry = { publish?: BrokerMessage; command?: ControlCommand };

function setup(options: { maxBufferedPublishes?: number; selfQueueing?: number } = {}) {
  const sent: Entry[] = [];
  const node = new RecordingNode('n1', 0);
  node.setCounts({ a: 1, b: 3 });
  const pending = options.selfQueueing;
  const core = new ClusterCore<Entry>(
    {
      encodePublish: (publish) => ({ publish }),
      encodeControl: (command) => ({ command }),
      send: (entry) => void sent.push(entry),
      ...(pending === undefined ? {} : { pending: () => pending }),
    },
    { kind: 'test', maxBufferedPublishes: options.maxBufferedPublishes ?? 2 },
  );
  return { core, node, delivered: node.delivered, controlled: node.commands, sent, reported: node.errors };
}

describe('ClusterCore', () => {
  it('refuses work outside start..close with coded lifecycle errors', async () => {
    const { core, node } = setup();
    await expect(core.publish({ topic: 't', data: '1' })).rejects.toMatchObject({ code: 'broker_not_started' });
    core.attach(node);
    expect(() => core.attach(node)).toThrow(BrokerLifecycleError);
    core.setState('closed');
    await expect(core.publish({ topic: 't', data: '1' })).rejects.toMatchObject({ code: 'broker_closed', name: 'BrokerLifecycleError' });
    await expect(core.control({ kind: 'removeTopic', topic: 't' })).rejects.toMatchObject({ code: 'broker_closed' });
  });

  it('emits each transition once', () => {
    const { core, node } = setup();
    const changes: BrokerStateChange[] = [];
    core.onState((change) => changes.push(change));
    core.attach(node);
    core.setState('connected');
    core.setState('connected');
    core.setState('degraded');
    expect(changes).toEqual([
      { oldState: 'new', newState: 'starting' },
      { oldState: 'starting', newState: 'connected' },
      { oldState: 'connected', newState: 'degraded' },
    ]);
  });

  it('delivers locally first, buffers while the link is down, refuses when full, flushes in order on connect', async () => {
    const { core, node, delivered, controlled, sent } = setup();
    core.attach(node);
    await core.publish({ topic: 't', data: '1' });
    await core.control({ kind: 'removeTopic', topic: 't' });
    await expect(core.publish({ topic: 't', data: '2' })).rejects.toBeInstanceOf(BrokerOverflowError);
    expect(delivered.map((m) => m.data)).toEqual(['1']);
    expect(controlled).toHaveLength(1);
    expect(sent).toHaveLength(0);
    expect(core.status()).toMatchObject({ kind: 'test', connected: false, pendingPublishes: 2, droppedPublishes: 1 });
    core.setState('connected');
    expect(sent.map((e) => (e.publish ? e.publish.data : e.command?.kind))).toEqual(['1', 'removeTopic']);
    await core.publish({ topic: 't', data: '3' });
    expect(sent).toHaveLength(3);
    expect(core.status()).toMatchObject({ connected: true, pendingPublishes: 0 });
  });

  it('sends at once to a self-queueing transport, bounded by its pending count; commands are never refused', async () => {
    const { core, node, sent } = setup({ maxBufferedPublishes: 2, selfQueueing: 2 });
    core.attach(node);
    await expect(core.publish({ topic: 't', data: '1' })).rejects.toBeInstanceOf(BrokerOverflowError);
    await core.control({ kind: 'removeTopic', topic: 't' });
    expect(sent).toHaveLength(1);
  });

  it('answers from local counts, and reports a problem once per code', () => {
    const { core, node, reported } = setup();
    core.attach(node);
    expect(core.localCount('b')).toBe(3);
    expect(core.localTopics()).toEqual([
      { topic: 'b', count: 3 },
      { topic: 'a', count: 1 },
    ]);
    const problem = Object.assign(new Error('down'), { code: 'unreachable' });
    core.raiseProblem(problem);
    core.raiseProblem(problem);
    expect(reported).toEqual([problem]);
    expect(core.status().error).toMatchObject({ code: 'unreachable', message: 'down' });
    core.clearProblem();
    expect(core.status().error).toBeUndefined();
  });
});

describe('backoff', () => {
  it('is full jitter in [0, min(max, min * 2^attempt))', () => {
    expect(backoff(0, 100, 1000, () => 0)).toBe(0);
    expect(backoff(0, 100, 1000, () => 0.999)).toBe(99);
    expect(backoff(3, 100, 1000, () => 0.5)).toBe(400);
    expect(backoff(50, 100, 1000, () => 0.5)).toBe(500);
    expect(backoff(Number.NaN, 100, 1000, () => 0.5)).toBe(50);
  });
});
