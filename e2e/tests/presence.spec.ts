import { test, expect } from './fixtures.js';

test('presence: the member list shows who is in the room, live, on one node', async ({ chat, openUser }) => {
  const ann = await openUser(chat.url, 'ann', 'members');
  await ann.expectMembers(['ann']);
  const bob = await openUser(chat.url, 'bob', 'members');
  await ann.expectMembers(['ann', 'bob']);
  await bob.expectMembers(['ann', 'bob']);
  await bob.close();
  await ann.expectMembers(['ann']);
});

test('presence in the cluster: a tab on node A sees a tab on node B join and leave', async ({ cluster, openUser }) => {
  const [nodeA, nodeB] = cluster.nodes;
  const ann = await openUser(nodeA.url, 'ann', 'world');
  await ann.expectMembers(['ann']);
  const bob = await openUser(nodeB.url, 'bob', 'world');
  await expect(bob.page.getByTestId('node-name')).toHaveText('node B');
  await ann.expectMembers(['ann', 'bob']);
  await bob.expectMembers(['ann', 'bob']);
  await bob.close();
  await ann.expectMembers(['ann']);
});
