/**
 * The dashboard's browser script, shipped as a string so tsup bundles it with the server (no
 * static files to copy, nothing from a CDN). Plain ES2020, no template literals inside: it lives
 * in one. Every value from the feed reaches the page through textContent, never innerHTML, since
 * topics, user ids and issue messages come from clients.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('firetower-config').textContent);
  // The token leaves the address bar and the history at once (it would otherwise sit in both, and
  // in screenshots); the tab keeps it in sessionStorage for its feed requests and reloads.
  var TOKEN_KEY = 'firetower-dashboard-token';
  var params = new URLSearchParams(location.search);
  var token = params.get('token');
  if (token) {
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage disabled: this load still works */ }
    params.delete('token');
    var rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
  } else {
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
  }
  var headers = { Accept: 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  var HISTORY = 60;
  var samples = [];
  var previous = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function fmt(n) {
    if (n === null || n === undefined || isNaN(n)) return '–';
    if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
    return n >= 100 || n === Math.round(n) ? String(Math.round(n)) : n.toFixed(1);
  }
  function fmtBytes(n) {
    if (n === null || isNaN(n)) return '–';
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' MiB';
    if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
    return Math.round(n) + ' B';
  }
  function plural(n, word) { return fmt(n) + ' ' + word + (n === 1 ? '' : 's'); }
  function clock(ms) { return new Date(ms).toLocaleTimeString(); }
  function setText(id, text) { $(id).textContent = text; }

  function rates(feed) {
    var now = { time: feed.time, in: feed.stats.messagesInTotal, out: feed.stats.messagesOutTotal, bytes: feed.stats.bytesOutTotal };
    var r = { in: null, out: null, bytes: null };
    if (previous && now.time > previous.time) {
      var dt = (now.time - previous.time) / 1000;
      r.in = Math.max(0, (now.in - previous.in) / dt);
      r.out = Math.max(0, (now.out - previous.out) / dt);
      r.bytes = Math.max(0, (now.bytes - previous.bytes) / dt);
      samples.push(r);
      if (samples.length > HISTORY) samples.shift();
    }
    previous = now;
    return r;
  }

  function drawChart() {
    var max = 1;
    samples.forEach(function (s) { max = Math.max(max, s.in, s.out); });
    var points = function (key) {
      return samples.map(function (s, i) {
        var x = (HISTORY - samples.length + i) * (600 / (HISTORY - 1));
        var y = 116 - (s[key] / max) * 108;
        return x.toFixed(1) + ',' + y.toFixed(1);
      }).join(' ');
    };
    $('line-in').setAttribute('points', points('in'));
    $('line-out').setAttribute('points', points('out'));
    setText('chart-max', fmt(max) + '/s');
  }

  function renderTopics(feed) {
    var body = $('topics-body');
    body.replaceChildren();
    var top = feed.topics.length ? feed.topics[0].count : 1;
    feed.topics.forEach(function (t) {
      var row = el('tr');
      row.dataset.topic = t.topic;
      row.appendChild(el('td', 'topic', t.topic));
      var count = el('td', 'num count', t.count);
      row.appendChild(count);
      var barCell = el('td', 'barcell');
      var bar = el('div', 'bar');
      bar.style.width = Math.max(2, (t.count / top) * 100) + '%';
      barCell.appendChild(bar);
      row.appendChild(barCell);
      body.appendChild(row);
    });
    $('topics-empty').hidden = feed.topics.length > 0;
    setText('topics-note', feed.topicsTotal > feed.topics.length
      ? 'top ' + feed.topics.length + ' of ' + feed.topicsTotal : String(feed.topicsTotal) + ' total');
  }

  function renderNodes(feed) {
    var nodes = (feed.broker && feed.broker.nodes) || [];
    // One node is no cluster: the card only appears when there is something to compare.
    $('nodes-card').hidden = nodes.length < 2;
    var body = $('nodes-body');
    body.replaceChildren();
    nodes.forEach(function (n) {
      var row = el('tr', n.lagMs > 1000 ? 'warn' : '');
      row.appendChild(el('td', 'topic', n.nodeId + (n.nodeId === feed.nodeId ? ' (this)' : '')));
      row.appendChild(el('td', 'num', fmt(n.lagMs) + ' ms'));
      row.appendChild(el('td', 'num', n.topics === undefined ? '–' : fmt(n.topics)));
      body.appendChild(row);
    });
  }

  function renderIssues(feed) {
    var list = $('issues');
    list.replaceChildren();
    feed.recentIssues.slice(0, 20).forEach(function (i) {
      var item = el('li', 'issue ' + i.kind);
      item.appendChild(el('span', 'when', clock(i.time)));
      item.appendChild(el('span', 'kind', i.kind));
      item.appendChild(el('span', 'source', i.source));
      var msg = el('span', 'msg', i.message);
      if (i.topic || i.clientId) {
        msg.appendChild(el('span', 'where', '  ' + [i.topic, i.clientId && 'client ' + i.clientId].filter(Boolean).join(' · ')));
      }
      item.appendChild(msg);
      list.appendChild(item);
    });
    $('issues-empty').hidden = feed.recentIssues.length > 0;
  }

  function render(feed) {
    var r = rates(feed);
    var s = feed.stats;
    setText('node', feed.nodeId);
    var b = feed.broker;
    setText('broker', b.kind + (b.connected ? ' · connected' : ' · DOWN') +
      (b.pendingPublishes ? ' · ' + b.pendingPublishes + ' pending' : ''));
    $('broker').className = b.connected ? 'ok' : 'bad';
    setText('connections', fmt(feed.connections.connections));
    setText('users', plural(feed.connections.users, 'user') + ' · ' + fmt(feed.connections.anonymous) + ' anonymous');
    setText('topics-count', fmt(feed.topicsTotal));
    setText('subscriptions', plural(s.subscriptions, 'subscription') + ' on this node');
    setText('rate-in', fmt(r.in));
    setText('rate-out', fmt(r.out));
    setText('rate-bytes', fmtBytes(r.bytes) + '/s out');
    var drops = 0, refusals = 0;
    Object.keys(s.dropsTotal).forEach(function (k) { drops += s.dropsTotal[k]; });
    Object.keys(s.refusalsTotal).forEach(function (k) { refusals += s.refusalsTotal[k]; });
    setText('totals', plural(refusals, 'refusal') + ' · ' + plural(drops, 'drop') + ' · ' + plural(s.errorsTotal, 'error'));
    renderTopics(feed);
    renderNodes(feed);
    renderIssues(feed);
    drawChart();
  }

  function status(text, ok) {
    setText('status', text);
    $('status').className = ok ? 'ok' : 'bad';
  }

  function poll() {
    fetch(config.feedUrl, { headers: headers, cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error((body && body.error && body.error.message) || ('HTTP ' + res.status));
          return body;
        });
      })
      .then(function (feed) {
        render(feed);
        status('live · ' + clock(feed.time), true);
      })
      .catch(function (err) { status('feed error: ' + err.message, false); })
      .then(function () { setTimeout(poll, config.intervalMs); });
  }
  poll();
})();
`;
