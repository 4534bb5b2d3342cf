import { test, expect } from './fixtures.js';

test('cluster: a tab on node A and a tab on node B chat through the topic service; counts are cluster-wide', async ({ cluster, openUser }) => {
  const [nodeA, nodeB] = cluster.nodes;
  expect(nodeA.port).not.toBe(nodeB.port);

  const ann = await openUser(nodeA.url, 'ann', 'world');
  await expect(ann.page.getByTestId('node-name')).toHaveText('node A');
  const bob = await openUser(nodeB.url, 'bob', 'world');
  await expect(bob.page.getByTestId('node-name')).toHaveText('node B');
  await ann.expectCount(2);
  await bob.expectCount(2);

  await ann.send('hello from A');
  await expect(bob.line('hello from A').getByTestId('from')).toHaveText('ann');
  await bob.send('hello from B');
  await expect(ann.line('hello from B').getByTestId('from')).toHaveText('bob');

  const cat = await openUser(nodeB.url, 'cat', 'world');
  await ann.expectCount(3);
  await cat.expectCount(3);
  await cat.close();
  await ann.expectCount(2);
  await bob.expectCount(2);
});
