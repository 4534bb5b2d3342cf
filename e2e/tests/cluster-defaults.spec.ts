import { test, expect } from './fixtures.js';
import { DemoProcess, freePortPair } from './demo-process.js';

/**
 * `pnpm demo:cluster` exactly as a newcomer runs it: the built cluster.js with its defaults (the
 * topic service on its default port), only PORT chosen so the test cannot collide with a demo on
 * 3000. cluster.spec.ts covers the same chat on port 0 everywhere; this one covers the defaults.
 */
test('demo:cluster with its defaults: a tab on node A and a tab on node B chat', async ({ openUser }) => {
  const port = await freePortPair();
  const demo = DemoProcess.start('cluster.js', { PORT: String(port) });
  try {
    await demo.line(/Ctrl-C to stop/);
    expect(demo.output).toMatch(/topic service on http:\/\/127\.0\.0\.1:7070\b/);
    const [, nodeA] = await demo.line(/node A on (http:\/\/\S+)/);
    const [, nodeB] = await demo.line(/node B on (http:\/\/\S+)/);

    const ann = await openUser(nodeA!, 'ann', 'world');
    await expect(ann.page.getByTestId('node-name')).toHaveText('node A');
    const bob = await openUser(nodeB!, 'bob', 'world');
    await expect(bob.page.getByTestId('node-name')).toHaveText('node B');
    // Cluster-wide counts mean both nodes reached the topic service.
    await ann.expectCount(2);
    await bob.expectCount(2);

    await ann.send('hello from A');
    await expect(bob.line('hello from A').getByTestId('from')).toHaveText('ann');
    await bob.send('hello from B');
    await expect(ann.line('hello from B').getByTestId('from')).toHaveText('bob');
  } finally {
    await demo.stop();
  }
});
