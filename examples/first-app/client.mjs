// client.mjs — a Node client: `node client.mjs` while server.mjs runs.
import { Firetower } from '@firetower/client';
import { WebSocket } from 'ws'; // Node 22+ could use its global WebSocket

const client = new Firetower(`ws://localhost:${process.env.PORT ?? 3000}/ws`, { WebSocket });
client.subscribe('/chat/world', (message) => console.log(message));
await client.publish('/chat/world', { from: 'node', text: 'hello from Node' }); // resolves on the server's ack
