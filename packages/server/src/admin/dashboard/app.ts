/**
 * The dashboard's browser script, as a typed module: checked by TypeScript against the feed the
 * server sends (`StatsFeed`), with its own tsconfig (DOM types, never Node's). It imports types only,
 * so TypeScript's transpiler turns it into one self-contained script; `script.generated.ts` holds
 * that script as the string the page inlines (nothing to copy, nothing from a CDN), and a test
 * fails when the two drift apart. Every value from the feed reaches the page through textContent,
 * never innerHTML, since topics, user ids and issue messages come from clients.
 */
import type { StatsFeed } from '../snapshots.js';

interface DashboardConfig {
  feedUrl: string;
  intervalMs: number;
}

interface Rates {
  in: number | null;
  out: number | null;
  bytes: number | null;
}

interface Sample {
  in: number;
  out: number;
}

const HISTORY = 60;
const TOKEN_KEY = 'firetower-dashboard-token';

const $ = (id: string): HTMLElement => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`dashboard: #${id} is missing`);
  return node;
};

const config = JSON.parse($('firetower-config').textContent ?? '{}') as DashboardConfig;

/**
 * The token leaves the address bar and the history at once (it would otherwise sit in both, and in
 * screenshots); the tab keeps it in sessionStorage for its feed requests and reloads.
 */
function takeToken(): string | null {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl === null || fromUrl === '') {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }
  try {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
  } catch {
    // Storage disabled: this load still works, a reload uses the page cookie.
  }
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  return fromUrl;
}

const token = takeToken();
const headers: Record<string, string> = { Accept: 'application/json' };
if (token) headers.Authorization = `Bearer ${token}`;

const samples: Sample[] = [];
let previous: { time: number; in: number; out: number; bytes: number } | null = null;

function el(tag: string, className?: string, text?: string | number): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n >= 100 || n === Math.round(n) ? String(Math.round(n)) : n.toFixed(1);
}

function fmtBytes(n: number | null): string {
  if (n === null || Number.isNaN(n)) return '–';
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

const plural = (n: number, word: string): string => `${fmt(n)} ${word}${n === 1 ? '' : 's'}`;
const clock = (ms: number): string => new Date(ms).toLocaleTimeString();
const setText = (id: string, text: string): void => void ($(id).textContent = text);

function rates(feed: StatsFeed): Rates {
  const now = { time: feed.time, in: feed.stats.messagesInTotal, out: feed.stats.messagesOutTotal, bytes: feed.stats.bytesOutTotal };
  const r: Rates = { in: null, out: null, bytes: null };
  if (previous && now.time > previous.time) {
    const dt = (now.time - previous.time) / 1000;
    const sample = { in: Math.max(0, (now.in - previous.in) / dt), out: Math.max(0, (now.out - previous.out) / dt) };
    r.in = sample.in;
    r.out = sample.out;
    r.bytes = Math.max(0, (now.bytes - previous.bytes) / dt);
    samples.push(sample);
    if (samples.length > HISTORY) samples.shift();
  }
  previous = now;
  return r;
}

function drawChart(): void {
  let max = 1;
  for (const s of samples) max = Math.max(max, s.in, s.out);
  const points = (key: keyof Sample): string =>
    samples
      .map((s, i) => {
        const x = (HISTORY - samples.length + i) * (600 / (HISTORY - 1));
        const y = 116 - (s[key] / max) * 108;
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  $('line-in').setAttribute('points', points('in'));
  $('line-out').setAttribute('points', points('out'));
  setText('chart-max', `${fmt(max)}/s`);
}

function renderTopics(feed: StatsFeed): void {
  const body = $('topics-body');
  body.replaceChildren();
  const top = feed.topics[0]?.count ?? 1;
  for (const t of feed.topics) {
    const row = el('tr');
    row.dataset.topic = t.topic;
    row.appendChild(el('td', 'topic', t.topic));
    row.appendChild(el('td', 'num count', t.count));
    const barCell = el('td', 'barcell');
    const bar = el('div', 'bar');
    bar.style.width = `${Math.max(2, (t.count / top) * 100)}%`;
    barCell.appendChild(bar);
    row.appendChild(barCell);
    body.appendChild(row);
  }
  $('topics-empty').hidden = feed.topics.length > 0;
  setText('topics-note', feed.topicsTotal > feed.topics.length ? `top ${feed.topics.length} of ${feed.topicsTotal}` : `${feed.topicsTotal} total`);
}

function renderNodes(feed: StatsFeed): void {
  const nodes = ('nodes' in feed.broker && feed.broker.nodes) || [];
  // One node is no cluster: the card only appears when there is something to compare.
  $('nodes-card').hidden = nodes.length < 2;
  const body = $('nodes-body');
  body.replaceChildren();
  for (const n of nodes) {
    const row = el('tr', n.lagMs > 1000 ? 'warn' : '');
    row.appendChild(el('td', 'topic', n.nodeId + (n.nodeId === feed.nodeId ? ' (this)' : '')));
    row.appendChild(el('td', 'num', `${fmt(n.lagMs)} ms`));
    row.appendChild(el('td', 'num', n.topics === undefined ? '–' : fmt(n.topics)));
    body.appendChild(row);
  }
}

function renderIssues(feed: StatsFeed): void {
  const list = $('issues');
  list.replaceChildren();
  for (const i of feed.recentIssues.slice(0, 20)) {
    const item = el('li', `issue ${i.kind}`);
    item.appendChild(el('span', 'when', clock(i.time)));
    item.appendChild(el('span', 'kind', i.kind));
    item.appendChild(el('span', 'source', i.source));
    const msg = el('span', 'msg', i.message);
    const where = [i.topic, i.clientId && `client ${i.clientId}`].filter(Boolean).join(' · ');
    if (where) msg.appendChild(el('span', 'where', `  ${where}`));
    item.appendChild(msg);
    list.appendChild(item);
  }
  $('issues-empty').hidden = feed.recentIssues.length > 0;
}

/** The broker line: its kind, up or down, a persistent error it reported, what it holds back. */
function brokerLine(broker: StatsFeed['broker']): string {
  const parts = [broker.kind, broker.connected ? 'connected' : 'DOWN'];
  if ('error' in broker && broker.error) parts.push(typeof broker.error === 'string' ? broker.error : `${broker.error.code}: ${broker.error.message}`);
  if ('pendingPublishes' in broker && broker.pendingPublishes) parts.push(`${broker.pendingPublishes} pending`);
  return parts.join(' · ');
}

function render(feed: StatsFeed): void {
  const r = rates(feed);
  const s = feed.stats;
  setText('node', feed.nodeId);
  setText('broker', brokerLine(feed.broker));
  $('broker').className = feed.broker.connected ? 'ok' : 'bad';
  setText('connections', fmt(feed.connections.connections));
  setText('users', `${plural(feed.connections.users, 'user')} · ${fmt(feed.connections.anonymous)} anonymous`);
  setText('topics-count', fmt(feed.topicsTotal));
  setText('subscriptions', `${plural(s.subscriptions, 'subscription')} on this node`);
  setText('rate-in', fmt(r.in));
  setText('rate-out', fmt(r.out));
  setText('rate-bytes', `${fmtBytes(r.bytes)}/s out`);
  const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
  setText('totals', `${plural(sum(s.refusalsTotal), 'refusal')} · ${plural(sum(s.dropsTotal), 'drop')} · ${plural(s.errorsTotal, 'error')}`);
  renderTopics(feed);
  renderNodes(feed);
  renderIssues(feed);
  drawChart();
}

function status(text: string, ok: boolean): void {
  setText('status', text);
  $('status').className = ok ? 'ok' : 'bad';
}

async function fetchFeed(): Promise<StatsFeed> {
  const res = await fetch(config.feedUrl, { headers, cache: 'no-store', credentials: 'same-origin' });
  const body = (await res.json()) as StatsFeed & { error?: { message?: string } };
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function poll(): void {
  fetchFeed()
    .then((feed) => {
      render(feed);
      status(`live · ${clock(feed.time)}`, true);
    })
    .catch((err: unknown) => status(`feed error: ${err instanceof Error ? err.message : String(err)}`, false))
    .finally(() => setTimeout(poll, config.intervalMs));
}

poll();
