// The React example's server: Firetower, the bundle, and the page rendered on the server.
// `pnpm build` first (it bundles src/ into dist/), then `node server.mjs`.
import { fileURLToPath } from 'node:url';
import express from 'express';
import { firetower } from '@firetower/server';
import { render } from './dist/ssr.js';

const app = express();
// The page publishes from the browser: client publishes are off unless the server allows them.
const ft = firetower({ publish: 'allow' });
app.use(ft);
app.use('/dist', express.static(fileURLToPath(new URL('./dist', import.meta.url))));
app.get('/', (req, res) => {
  res.send(`<!doctype html>
<html><head><meta charset="utf-8"><title>Firetower + React</title><link rel="icon" href="data:,"></head>
<body><div id="root">${render()}</div><script type="module" src="/dist/browser.js"></script></body></html>`);
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`React example on http://localhost:${port}`));
