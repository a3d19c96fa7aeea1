// esc's dashboard: plain browser JavaScript served as it is (no build step at run time). It reads the server's
// own API: GET /logs/stream (the live tail and the histogram), GET /stats (throughput), GET /alerts and
// GET /alerts/stream (rule states and notifications). uPlot (loaded before this file) draws the histogram.
/* global uPlot */

(() => {
  const TAIL_KEEP = 1000;
  const TAIL_SHOW = 300;
  const HISTORY_SHOW = 50;
  const BUCKET_S = 1;
  const SPAN_BUCKETS = 120;
  /** Stacking order, bottom first; every other level counts as OTHER. */
  const GROUPS = [
    { name: 'CRIT', color: '#ff5ccd', levels: ['CRIT', 'FATAL', 'EMERG', 'ALERT'] },
    { name: 'ERROR', color: '#ff5f56', levels: ['ERROR'] },
    { name: 'WARN', color: '#ffbd2e', levels: ['WARN'] },
    { name: 'INFO', color: '#5cb8ff', levels: ['INFO'] },
    { name: 'OTHER', color: '#9aa4ae', levels: [] },
  ];
  const groupOf = new Map();
  GROUPS.forEach((g, i) => {
    for (const level of g.levels) groupOf.set(level, i);
  });

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  };

  // ---- access: with --requirepass the API needs the password (EventSource cannot send headers) ----
  let token = sessionStorage.getItem('esc-token') || '';
  const url = (path) =>
    token ? `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}` : path;
  async function getJson(path) {
    const res = await fetch(url(path), { cache: 'no-store' });
    if (res.status === 401) {
      askForToken();
      throw new Error('authentication required');
    }
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }
  function askForToken() {
    const form = $('token-form');
    if (!form.hidden) return;
    form.hidden = false;
    $('token').focus();
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      token = $('token').value;
      sessionStorage.setItem('esc-token', token);
      location.reload();
    });
  }

  const connection = { tail: false, alerts: false };
  /** EventSource reconnects by itself; the header says whether both streams are up. */
  function watchConnection(source, key) {
    source.onopen = () => {
      connection[key] = true;
      showConnection();
    };
    source.onerror = () => {
      connection[key] = false;
      showConnection();
    };
  }
  function showConnection() {
    const node = $('connection');
    const live = connection.tail && connection.alerts;
    node.textContent = live ? 'live' : 'reconnecting…';
    node.className = live ? 'live' : 'down';
  }

  // ---- histogram: events per second by level, from the tail's events (received_at, server time) ----
  const buckets = new Map(); // second -> counts per group
  let skipped = 0;
  function countEvent(level, receivedMs) {
    const second = Math.floor(receivedMs / 1000 / BUCKET_S) * BUCKET_S;
    let counts = buckets.get(second);
    if (counts === undefined) {
      counts = new Array(GROUPS.length).fill(0);
      buckets.set(second, counts);
    }
    const group = groupOf.get(level);
    counts[group === undefined ? GROUPS.length - 1 : group]++;
  }

  let serverOffsetS = 0; // server time minus this browser's, from the newest event, so the chart's edge is "now"
  const chartData = () => {
    const end = Math.floor(Date.now() / 1000 + serverOffsetS);
    const start = end - (SPAN_BUCKETS - 1) * BUCKET_S;
    for (const second of buckets.keys()) if (second < start) buckets.delete(second);
    const xs = [];
    const cumulative = GROUPS.map(() => []);
    const totals = new Array(GROUPS.length).fill(0);
    for (let s = start; s <= end; s += BUCKET_S) {
      xs.push(s);
      const counts = buckets.get(s) || [];
      let sum = 0;
      GROUPS.forEach((_, i) => {
        sum += counts[i] || 0;
        totals[i] += counts[i] || 0;
        cumulative[i].push(sum);
      });
    }
    // uPlot draws series in order: the tallest (all levels) first, each lower stack over it.
    return { data: [xs, ...cumulative.reverse()], totals };
  };

  const chartNode = $('chart');
  const bars = uPlot.paths.bars({ size: [0.8, 40], gap: 1 });
  const chart = new uPlot(
    {
      width: chartNode.clientWidth || 600,
      height: 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
      axes: [
        {
          stroke: '#9aa4ae',
          grid: { stroke: '#2c333b' },
          ticks: { stroke: '#2c333b' },
          space: 70,
          values: (_u, splits) => splits.map((s) => new Date(s * 1000).toLocaleTimeString([], { hour12: false })),
        },
        { stroke: '#9aa4ae', grid: { stroke: '#2c333b' }, ticks: { stroke: '#2c333b' }, size: 50 },
      ],
      series: [
        {},
        ...[...GROUPS].reverse().map((g) => ({
          label: g.name,
          stroke: g.color,
          fill: g.color,
          width: 0,
          paths: bars,
          points: { show: false },
        })),
      ],
    },
    chartData().data,
    chartNode,
  );
  new ResizeObserver(() => chart.setSize({ width: chartNode.clientWidth, height: 200 })).observe(chartNode);

  const legend = $('legend');
  const legendCounts = GROUPS.map((g) => {
    const count = el('span', { className: 'count', textContent: '0' });
    const item = el('li', {}, el('span', { className: 'swatch' }), el('span', { textContent: g.name }), count);
    item.dataset.level = g.name;
    item.firstChild.style.background = g.color;
    legend.append(item);
    return count;
  });

  function drawChart() {
    const { data, totals } = chartData();
    chart.setData(data);
    totals.forEach((n, i) => {
      legendCounts[i].textContent = String(n);
    });
  }

  // ---- the live tail ----
  const tail = []; // newest first
  let paused = false;
  const filterBox = $('filter');
  const levelBox = $('level');
  const tailBody = $('tail').querySelector('tbody');
  const fmtTime = (iso) => {
    const d = new Date(iso);
    return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  };

  function drawTail() {
    const text = filterBox.value.trim().toLowerCase();
    const level = levelBox.value;
    const rows = [];
    for (const e of tail) {
      if (rows.length >= TAIL_SHOW) break;
      if (
        level &&
        (groupOf.get(e.level) ?? GROUPS.length - 1) !== GROUPS.findIndex((g) => g.name === level) &&
        e.level !== level
      )
        continue;
      if (text && !`${e.level} ${e.service} ${e.message}`.toLowerCase().includes(text)) continue;
      const tr = el(
        'tr',
        {},
        el('td', { textContent: fmtTime(e.received_at) }),
        el('td', { className: `level level-${e.level}`, textContent: e.level }),
        el('td', { textContent: e.service }),
        el('td', { textContent: e.message }),
      );
      tr.dataset.level = e.level;
      tr.dataset.id = e.id;
      if (e.fresh) tr.className = 'new';
      e.fresh = false;
      rows.push(tr);
    }
    tailBody.replaceChildren(...rows);
    $('tail-count').textContent =
      `${rows.length} shown of ${tail.length} kept${skipped ? ` · ${skipped} missed (slow connection)` : ''}`;
  }

  // ---- drawing, at most every 250 ms when something changed, and each second for the sliding chart ----
  let dirtyTail = false;
  let drawScheduled = false;
  function scheduleDraw() {
    if (drawScheduled) return;
    drawScheduled = true;
    setTimeout(() => {
      drawScheduled = false;
      drawChart();
      if (dirtyTail && !paused) {
        dirtyTail = false;
        drawTail();
      }
    }, 250);
  }
  setInterval(drawChart, 1000);

  function openTail() {
    const source = new EventSource(url('/logs/stream?backlog=200'));
    watchConnection(source, 'tail');
    source.onmessage = (message) => {
      const e = JSON.parse(message.data);
      const received = Date.parse(e.received_at);
      serverOffsetS = (received - Date.now()) / 1000;
      countEvent(e.level, received);
      e.fresh = true;
      tail.unshift(e);
      if (tail.length > TAIL_KEEP) tail.length = TAIL_KEEP;
      dirtyTail = true;
      scheduleDraw();
    };
    source.addEventListener('gap', (message) => {
      skipped += JSON.parse(message.data).skipped;
      dirtyTail = true;
      scheduleDraw();
    });
  }

  // ---- throughput ----
  let lastStats = null;
  async function pollStats() {
    try {
      const stats = await getJson('/stats');
      const now = performance.now();
      if (lastStats !== null) {
        const rate = (stats.total_processed - lastStats.total) / ((now - lastStats.at) / 1000);
        $('rate').textContent = rate.toLocaleString(undefined, { maximumFractionDigits: rate < 10 ? 1 : 0 });
      }
      lastStats = { total: stats.total_processed, at: now };
      $('avg-rate').textContent = Number(stats.avg_throughput).toLocaleString(undefined, { maximumFractionDigits: 1 });
      $('stored').textContent = Number(stats.logs_in_storage).toLocaleString();
    } catch {
      // Shown by the connection status; the next poll tries again.
    }
  }

  // ---- alerts ----
  const history = new Map(); // seq -> record
  function drawRules(rules) {
    const rows = rules.map((r) => {
      const state = el('span', { className: `state state-${r.state}`, textContent: r.state });
      const tr = el(
        'tr',
        {},
        el('td', { textContent: r.rule }),
        el('td', {}, state),
        el('td', { textContent: `${r.count} / ${r.threshold}` }),
        el('td', { textContent: r.window }),
      );
      tr.dataset.rule = r.rule;
      tr.dataset.state = r.state;
      if (r.cooldownUntil) tr.title = `cooldown until ${new Date(r.cooldownUntil).toLocaleTimeString()}`;
      return tr;
    });
    $('rules')
      .querySelector('tbody')
      .replaceChildren(...rows);
    $('firing-count').textContent = String(rules.filter((r) => r.state === 'firing').length);
  }
  function drawHistory() {
    const records = [...history.values()].sort((a, b) => b.seq - a.seq).slice(0, HISTORY_SHOW);
    $('alert-history').replaceChildren(
      ...records.map((a) => {
        const when = a.status === 'firing' ? a.startsAt : a.endsAt;
        const detail =
          a.status === 'firing'
            ? `${a.count} ≥ ${a.threshold} in ${a.window}`
            : `${a.reason ?? `count ${a.count} < ${a.threshold}`}, peak ${a.peakCount}`;
        const li = el(
          'li',
          {},
          el('time', { dateTime: when, textContent: `${fmtTime(when)} ` }),
          el('span', { className: `state state-${a.status}`, textContent: a.status }),
          ` ${a.rule} `,
          el('span', { className: 'sub', textContent: detail }),
        );
        li.dataset.status = a.status;
        li.dataset.rule = a.rule;
        return li;
      }),
    );
  }
  async function openAlerts() {
    try {
      const body = await getJson('/alerts?limit=50');
      for (const a of body.alerts) history.set(a.seq, a);
      drawRules(body.rules);
      drawHistory();
    } catch {
      // The stream below retries; its first message brings the rule states.
    }
    const source = new EventSource(url('/alerts/stream'));
    watchConnection(source, 'alerts');
    source.addEventListener('alert', (message) => {
      const a = JSON.parse(message.data);
      history.set(a.seq, a);
      drawHistory();
    });
    source.addEventListener('rules', (message) => drawRules(JSON.parse(message.data)));
  }

  // ---- keyboard ----
  const typing = (target) => target instanceof HTMLInputElement || target instanceof HTMLSelectElement;
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/' && !typing(e.target)) {
      e.preventDefault();
      filterBox.focus();
      filterBox.select();
    } else if (e.key === 'Escape' && e.target === filterBox) {
      filterBox.value = '';
      filterBox.blur();
      drawTail();
    } else if (e.key === 'p' && !typing(e.target)) {
      togglePause();
    }
  });
  const pauseButton = $('pause');
  function togglePause() {
    paused = !paused;
    pauseButton.setAttribute('aria-pressed', String(paused));
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) drawTail();
  }
  pauseButton.addEventListener('click', togglePause);
  filterBox.addEventListener('input', drawTail);
  levelBox.addEventListener('change', drawTail);

  showConnection();
  openTail();
  openAlerts();
  pollStats();
  setInterval(pollStats, 2000);
})();
