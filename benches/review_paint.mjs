// Time to first paint of a review page in headless chromium, over the DevTools protocol with
// Node's own WebSocket (no npm packages): `node --experimental-websocket benches/review_paint.mjs
// PAGE.html [RUNS]`. Prints, per run and as the median: first contentful paint, the moment the
// page's script had rendered the first rows (`data-ready-ms`), one filter (missing part), one
// free-text search, and opening the first report (which parses the details JSON).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const page = resolve(process.argv[2]);
const runs = Number(process.argv[3] || 5);
const bin = process.env.DOCINGEST_CHROMIUM || '/usr/bin/chromium';

async function once() {
  const profile = mkdtempSync(join(tmpdir(), 'review-paint-'));
  const chrome = spawn(bin, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1440,1000', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const wsUrl = await new Promise((ok, fail) => {
      let err = '';
      chrome.stderr.on('data', (d) => {
        err += d;
        const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) ok(m[1]);
      });
      chrome.on('exit', () => fail(new Error('chromium exited: ' + err)));
    });
    const ws = new WebSocket(wsUrl);
    await new Promise((ok) => ws.addEventListener('open', ok));
    let id = 0;
    const waiting = new Map();
    const events = [];
    ws.addEventListener('message', (m) => {
      const msg = JSON.parse(m.data);
      if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); } else events.push(msg);
    });
    const send = (method, params = {}, sessionId) => new Promise((ok) => {
      id += 1;
      waiting.set(id, ok);
      ws.send(JSON.stringify({ id, method, params, sessionId }));
    });
    const { result: { targetId } } = await send('Target.createTarget', { url: 'about:blank' });
    const { result: { sessionId } } = await send('Target.attachToTarget', { targetId, flatten: true });
    await send('Page.enable', {}, sessionId);
    const evalJs = async (expression) => (await send('Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true }, sessionId)).result.result.value;
    const t0 = Date.now();
    await send('Page.navigate', { url: 'file://' + page }, sessionId);
    while (!events.some((e) => e.method === 'Page.loadEventFired')) await new Promise((r) => setTimeout(r, 20));
    const loadWall = Date.now() - t0;
    // Paint entries are recorded after the frame: wait for two animation frames first.
    const m = await evalJs(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => {
      const p = {};
      for (const e of performance.getEntriesByType('paint')) p[e.name] = e.startTime;
      const html = document.documentElement;
      const t = () => performance.now();
      const miss = document.getElementById('f-miss');
      let a = t(); miss.value = 'next_year_plans'; miss.dispatchEvent(new Event('change'));
      const filterMs = t() - a; const filtered = document.getElementById('count').textContent;
      miss.value = ''; miss.dispatchEvent(new Event('change'));
      const q = document.getElementById('f-q');
      a = t(); q.value = '金兰山'; q.dispatchEvent(new Event('input'));
      setTimeout(() => {
        const searchMs = t() - a - 120; // minus the debounce
        const found = document.getElementById('count').textContent;
        a = t(); document.querySelector('button.open').click();
        const detailMs = t() - a;
        ok({ fcp: p['first-contentful-paint'], ready: +html.getAttribute('data-ready-ms'),
             script: +html.getAttribute('data-render-ms'), filterMs, filtered, searchMs, found, detailMs,
             rows: document.querySelectorAll('#rows tr').length });
      }, 120);
    })))`);
    m.loadWall = loadWall;
    ws.close();
    return m;
  } finally {
    chrome.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    rmSync(profile, { recursive: true, force: true });
  }
}

const all = [];
for (let i = 0; i < runs; i++) {
  const m = await once();
  all.push(m);
  console.log(`run ${i + 1}: FCP ${m.fcp?.toFixed(0)} ms, rows rendered at ${m.ready.toFixed(0)} ms ` +
    `(script ${m.script.toFixed(0)} ms), load event ${m.loadWall} ms, filter ${m.filterMs.toFixed(1)} ms ` +
    `(${m.filtered} rows), search ${m.searchMs.toFixed(1)} ms (${m.found}), first detail ${m.detailMs.toFixed(0)} ms`);
}
const med = (k) => { const v = all.map((m) => m[k]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
console.log(`median of ${runs}: FCP ${med('fcp').toFixed(0)} ms, rows rendered ${med('ready').toFixed(0)} ms, ` +
  `load ${med('loadWall')} ms, filter ${med('filterMs').toFixed(1)} ms, search ${med('searchMs').toFixed(1)} ms, ` +
  `first detail ${med('detailMs').toFixed(0)} ms`);
