import { expect, it } from 'vitest';
import type { StartedServer } from './server.js';
import type { TestClient } from './client.js';

/** What the direct-message tests need of the contract's per-test cluster. */
export interface DirectContext {
  size: number;
  timeoutMs: number;
  nodes(): Array<{ server: StartedServer }>;
  join(node: { server: StartedServer }, query?: Record<string, string>): Promise<TestClient>;
}

/**
 * `ft.sendTo` and `ft.sendToUser` through the broker's control path: one copy per connection of
 * the user on every node, a client on another node, and an unknown target answered with 0.
 */
export function describeDirectTests(context: DirectContext): void {
  const { size, timeoutMs } = context;

  it('sendToUser reaches every connection of the user on every node, once each, and nobody else', async () => {
    const nodes = context.nodes();
    const tabs = await Promise.all(nodes.flatMap((node) => [context.join(node, { user: 'dm-user' }), context.join(node, { user: 'dm-user' })]));
    const bystander = await context.join(nodes[0]!, { user: 'someone-else' });
    const result = await nodes[size - 1]!.server.ft.sendToUser('dm-user', '/inbox', { note: 'hi' });
    expect(result).toEqual({ connections: 2 * size, complete: true });
    for (const tab of tabs) expect(await tab.nextDelivery('/inbox', timeoutMs)).toEqual({ type: 'publish', topic: '/inbox', data: { note: 'hi' } });
    // A marker sent afterwards arrives alone: no tab got a second copy, the bystander none.
    await nodes[0]!.server.ft.sendToUser('dm-user', '/inbox', 'marker');
    for (const tab of tabs) expect((await tab.nextDelivery('/inbox', timeoutMs)).data).toBe('marker');
    expect(bystander.received.filter((frame) => frame.type === 'publish')).toHaveLength(0);
  });

  it('sendTo reaches a client on another node; an unknown user or client resolves with 0 connections', async () => {
    const nodes = context.nodes();
    const target = await context.join(nodes[0]!, { clientId: 'dm-target' });
    expect(await nodes[size - 1]!.server.ft.sendTo('dm-target', '/inbox', 'for you')).toMatchObject({ connections: 1 });
    expect((await target.nextDelivery('/inbox', timeoutMs)).data).toBe('for you');
    expect(await nodes[size - 1]!.server.ft.sendToUser('nobody', '/inbox', 1)).toEqual({ connections: 0, complete: true });
    expect(await nodes[size - 1]!.server.ft.sendTo('no-such-client', '/inbox', 1)).toEqual({ connections: 0, complete: true });
  });
}
