import { DASHBOARD_SCRIPT } from './dashboard/script.generated.js';

export interface DashboardPageOptions {
  /** Absolute path of the JSON stats feed, e.g. '/firetower/api/stats'. */
  feedUrl: string;
  /** Per-response CSP nonce for the inline script. */
  nonce: string;
  /** Poll interval of the feed. */
  intervalMs: number;
}

const STYLE = `
:root { color-scheme: dark; --bg:#0f1419; --card:#182029; --line:#2a3542; --text:#e6edf3; --dim:#8b98a5;
  --in:#4fb3ff; --out:#ffb454; --ok:#5ad17a; --bad:#ff6b6b; --bar:#3b82f6; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; flex-wrap:wrap; gap:6px 18px; align-items:baseline; padding:14px 22px; border-bottom:1px solid var(--line); }
header h1 { font-size:20px; margin:0; display:flex; align-items:center; gap:8px; }
.logo { width:12px; height:18px; border-radius:50% 50% 45% 45%; background:linear-gradient(#ffd166, #ff6b35); display:inline-block; }
header .meta { color:var(--dim); }
.ok { color:var(--ok); } .bad { color:var(--bad); }
#status { margin-left:auto; font-variant-numeric:tabular-nums; }
main { padding:18px 22px; display:grid; gap:16px; grid-template-columns:repeat(auto-fit, minmax(340px, 1fr)); }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; min-width:0; }
.card h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 10px; font-weight:600; }
.card h2 small { text-transform:none; letter-spacing:0; font-weight:400; margin-left:6px; }
.kpis { grid-column:1/-1; display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr)); gap:16px; }
.kpi .value { font-size:34px; font-weight:650; font-variant-numeric:tabular-nums; line-height:1.1; }
.kpi .sub { color:var(--dim); font-size:13px; margin-top:4px; }
.kpi.in .value { color:var(--in); } .kpi.out .value { color:var(--out); }
.wide { grid-column:1/-1; }
svg { width:100%; height:140px; display:block; }
polyline { fill:none; stroke-width:2; vector-effect:non-scaling-stroke; }
#line-in { stroke:var(--in); } #line-out { stroke:var(--out); }
.legend { display:flex; gap:16px; color:var(--dim); font-size:13px; margin-top:6px; }
.legend .in { color:var(--in); } .legend .out { color:var(--out); }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th { text-align:left; color:var(--dim); font-weight:500; font-size:13px; padding:4px 6px; border-bottom:1px solid var(--line); }
td { padding:5px 6px; border-bottom:1px solid #1f2a35; }
td.topic { font-family:ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap:anywhere; }
td.num, th.num { text-align:right; white-space:nowrap; }
td.count { font-weight:650; font-size:16px; }
td.barcell { width:35%; }
.bar { height:10px; border-radius:5px; background:var(--bar); }
tr.warn td { color:var(--bad); }
.empty { color:var(--dim); font-style:italic; margin:6px 0 0; }
#issues { list-style:none; margin:0; padding:0; max-height:320px; overflow:auto; font-size:13px; }
.issue { display:grid; grid-template-columns:auto auto 1fr; gap:2px 10px; padding:5px 0; border-bottom:1px solid #1f2a35; }
.issue .msg { grid-column:1/-1; }
.issue .when { color:var(--dim); font-variant-numeric:tabular-nums; }
.issue .kind { font-weight:600; text-transform:uppercase; font-size:11px; padding-top:2px; }
.issue.refusal .kind { color:var(--out); } .issue.error .kind { color:var(--bad); } .issue.drop .kind { color:var(--in); }
.issue .source { font-family:ui-monospace, monospace; color:var(--dim); }
.issue .msg { overflow-wrap:anywhere; }
.issue .where { color:var(--dim); font-family:ui-monospace, monospace; }
`;

function escapeJsonForScript(value: unknown): string {
  // Inside <script type="application/json"> only '<' could end the element early.
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The whole dashboard as one HTML document: inline style and script, no external request but the feed. */
export function renderDashboardPage(options: DashboardPageOptions): string {
  const config = escapeJsonForScript({ feedUrl: options.feedUrl, intervalMs: options.intervalMs });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Firetower dashboard</title>
<link rel="icon" href="data:,">
<style nonce="${options.nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1><span class="logo"></span>Firetower</h1>
  <span class="meta">node <b id="node">…</b></span>
  <span class="meta">broker <b id="broker">…</b></span>
  <span id="status">connecting…</span>
</header>
<main>
  <section class="kpis">
    <div class="card kpi"><h2>Connections</h2><div class="value" id="connections">–</div><div class="sub" id="users"></div></div>
    <div class="card kpi"><h2>Topics <small>cluster</small></h2><div class="value" id="topics-count">–</div><div class="sub" id="subscriptions"></div></div>
    <div class="card kpi in"><h2>Messages in /s</h2><div class="value" id="rate-in">–</div><div class="sub" id="totals"></div></div>
    <div class="card kpi out"><h2>Messages out /s</h2><div class="value" id="rate-out">–</div><div class="sub" id="rate-bytes"></div></div>
  </section>
  <section class="card wide">
    <h2>Messages per second <small>last 60 s · scale <span id="chart-max">–</span></small></h2>
    <svg viewBox="0 0 600 120" preserveAspectRatio="none" role="img" aria-label="messages per second">
      <line x1="0" y1="116" x2="600" y2="116" stroke="#2a3542" vector-effect="non-scaling-stroke"/>
      <polyline id="line-in" points=""/>
      <polyline id="line-out" points=""/>
    </svg>
    <div class="legend"><span class="in">■ in (from clients)</span><span class="out">■ out (to sockets)</span></div>
  </section>
  <section class="card" id="topics-card">
    <h2>Topics by subscribers <small id="topics-note"></small></h2>
    <table><thead><tr><th>Topic</th><th class="num">Subscribers</th><th></th></tr></thead><tbody id="topics-body"></tbody></table>
    <p class="empty" id="topics-empty">No topic has subscribers.</p>
  </section>
  <section class="card" id="nodes-card" hidden>
    <h2>Cluster nodes</h2>
    <table><thead><tr><th>Node</th><th class="num">Lag</th><th class="num">Topics</th></tr></thead><tbody id="nodes-body"></tbody></table>
  </section>
  <section class="card" id="issues-card">
    <h2>Recent refusals and errors <small>newest first</small></h2>
    <ul id="issues"></ul>
    <p class="empty" id="issues-empty">Nothing refused, dropped or failed recently.</p>
  </section>
</main>
<script type="application/json" id="firetower-config">${config}</script>
<script nonce="${options.nonce}">${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
