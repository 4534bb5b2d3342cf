// server.mjs — run with `node server.mjs`, then open http://localhost:3000 in two tabs.
import express from 'express';
import { firetower } from '@firetower/server';

const app = express();
// WebSocket endpoint at /ws; the browser client at /firetower/client.js. Browsers may publish
// to chat rooms only (client publishes are off unless allowed), and a room keeps its last 50
// messages: a newcomer or a tab back from a network drop gets them.
const ft = firetower({
  hooks: { canPublish: (tower, topic) => topic.startsWith('/chat/') },
  history: [{ match: '/chat/*', size: 50 }],
});
app.use(ft);

app.get('/', (req, res) => {
  res.send(`<!doctype html>
<ul id="log"></ul>
<script src="/firetower/client.js"></script>
<script>
  const client = new Firetower('/ws'); // relative URLs resolve against the page
  client.subscribe('/chat/world', (message) => {
    const line = document.createElement('li');
    line.textContent = message.from + ': ' + message.text;
    document.getElementById('log').append(line);
  });
  client.publish('/chat/world', { from: 'a browser', text: 'hi' });
</script>`);
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`open http://localhost:${port}`));

// From anywhere on the server (a route, a job…): every subscriber gets it, on every node.
setInterval(() => ft.publish('/chat/world', { from: 'server', text: new Date().toISOString() }), 5000);
