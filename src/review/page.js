// docingest review page. Reads the overview JSON once, renders one page of rows at a time, and
// parses a report's detail JSON (its own element, d<index>) only when the report is opened. Every piece of document text goes
// into the DOM through textContent or createTextNode: never innerHTML.
(function () {
  'use strict';
  var t0 = performance.now();
  var doc = document;
  var data = JSON.parse(doc.getElementById('overview').textContent);
  var PARTS = data.parts; // [code, short label, full label, mandatory]
  var rows = data.rows;
  var coll = new Intl.Collator('zh-CN', { numeric: true });
  var PAGE = 100;
  var BADGE = { p: '有', m: '缺', a: '无', n: '不适用', u: '?' };
  var BADGE_TITLE = { p: '有此部分', m: '缺少必备部分', a: '无（可选部分）', n: '非年度报告，不适用', u: '结果未说明' };
  var partIndex = {};
  PARTS.forEach(function (p, i) { partIndex[p[0]] = i; });
  rows.forEach(function (r, i) {
    r.i = i;
    r.hay = [r.org, r.title, r.key, r.id, r.kind, r.lvl, r.fmt, (r.also || []).join(' ')].join('\n').toLowerCase();
  });

  var state = { q: '', miss: '', lvl: '', yr: '', fmt: '', sort: '', dir: 1, page: 0, doc: '' };
  var shown = rows;

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function $(id) { return doc.getElementById(id); }

  // --- state in the URL fragment, so a filtered view can be bookmarked or sent ---
  function readHash() {
    var h = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.q = h.get('q') || '';
    state.miss = h.get('miss') || '';
    state.lvl = h.get('lvl') || '';
    state.yr = h.get('yr') || '';
    state.fmt = h.get('fmt') || '';
    state.sort = h.get('sort') || '';
    state.dir = h.get('dir') === '-1' ? -1 : 1;
    state.page = Math.max(0, parseInt(h.get('page') || '0', 10) || 0);
    state.doc = h.get('doc') || '';
  }
  function writeHash() {
    var h = new URLSearchParams();
    ['q', 'miss', 'lvl', 'yr', 'fmt', 'sort', 'doc'].forEach(function (k) { if (state[k]) h.set(k, state[k]); });
    if (state.sort && state.dir < 0) h.set('dir', '-1');
    if (state.page) h.set('page', String(state.page));
    var s = h.toString();
    history.replaceState(null, '', s ? '#' + s : location.pathname + location.search);
  }

  // --- filter and sort ---
  function keyOf(r, col) {
    if (col.charAt(0) === 'p' && col.length === 2) return r.parts.charAt(+col.charAt(1));
    return r[col];
  }
  function apply() {
    var q = state.q.trim().toLowerCase();
    var words = q ? q.split(/\s+/) : [];
    var mi = state.miss in partIndex ? partIndex[state.miss] : -1;
    shown = rows.filter(function (r) {
      if (state.miss === 'any' && r.parts.indexOf('m') < 0) return false;
      if (state.miss === 'na' && r.parts.charAt(0) !== 'n') return false;
      if (mi >= 0 && r.parts.charAt(mi) !== 'm') return false;
      if (state.lvl && (r.lvl || '(none)') !== state.lvl) return false;
      if (state.yr && String(r.yr === null ? '(none)' : r.yr) !== state.yr) return false;
      if (state.fmt && (r.fmt || '(none)') !== state.fmt) return false;
      for (var i = 0; i < words.length; i++) if (r.hay.indexOf(words[i]) < 0) return false;
      return true;
    });
    if (state.sort) {
      var col = state.sort, dir = state.dir;
      shown.sort(function (a, b) {
        var x = keyOf(a, col), y = keyOf(b, col);
        var xn = x === null || x === undefined || x === '', yn = y === null || y === undefined || y === '';
        if (xn || yn) return xn === yn ? a.i - b.i : (xn ? 1 : -1); // empty last either way
        var c = typeof x === 'number' && typeof y === 'number' ? x - y : coll.compare(String(x), String(y));
        return c ? c * dir : a.i - b.i;
      });
    }
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
  }

  // --- the table ---
  var COLS = [
    ['org', '机构'], ['lvl', '层级'], ['yr', '年度'], ['title', '标题'], ['fmt', '格式'], ['key', '来源']
  ].concat(PARTS.map(function (p, i) { return ['p' + i, p[1], p[2]]; }))
    .concat([['nf', '事实'], ['ns', '章节'], ['nw', '警告']]);

  function renderHead() {
    var tr = $('head');
    while (tr.firstChild) tr.removeChild(tr.firstChild);
    COLS.forEach(function (c) {
      var th = el('th');
      var b = el('button', 'sort', c[1]);
      if (c[2]) b.title = c[2];
      if (state.sort === c[0]) {
        b.appendChild(doc.createTextNode(state.dir > 0 ? ' ▲' : ' ▼'));
        th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      }
      b.addEventListener('click', function () {
        if (state.sort === c[0]) state.dir = -state.dir; else { state.sort = c[0]; state.dir = 1; }
        state.page = 0;
        update();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
  }

  function badge(status, part) {
    var s = el('span', 'badge b-' + status, BADGE[status] || status);
    s.title = part[2] + '：' + (BADGE_TITLE[status] || status);
    return s;
  }

  function renderRows() {
    var body = $('rows');
    var frag = doc.createDocumentFragment();
    var start = state.page * PAGE;
    shown.slice(start, start + PAGE).forEach(function (r) {
      var tr = el('tr');
      if (r.parts.indexOf('m') >= 0) tr.className = 'lacks';
      tr.appendChild(el('td', 'org', r.org || '—'));
      tr.appendChild(el('td', '', r.lvl || '—'));
      tr.appendChild(el('td', 'num', r.yr === null ? '—' : r.yr));
      var td = el('td', 'title');
      var b = el('button', 'open', r.title || '（无标题）');
      b.title = '查看详情';
      b.addEventListener('click', function () { openDetail(r.id); });
      td.appendChild(b);
      if (r.kind) td.appendChild(el('span', 'kind', r.kind));
      tr.appendChild(td);
      tr.appendChild(el('td', 'fmt', r.fmt || '—'));
      // parse results name their file by URI: the file name is what tells rows apart.
      var k = el('td', 'key', /^file:\/\//.test(r.key) ? r.key.slice(r.key.lastIndexOf('/') + 1) : r.key);
      k.title = r.key + (r.also ? '\n另见：' + r.also.join('\n') : '');
      if (r.also) k.appendChild(el('span', 'dup', '+' + r.also.length));
      tr.appendChild(k);
      PARTS.forEach(function (p, i) {
        var c = el('td', 'part');
        c.appendChild(badge(r.parts.charAt(i), p));
        tr.appendChild(c);
      });
      tr.appendChild(el('td', 'num', r.nf));
      tr.appendChild(el('td', 'num', r.ns));
      tr.appendChild(el('td', 'num' + (r.nw ? ' warn' : ''), r.nw));
      frag.appendChild(tr);
    });
    while (body.firstChild) body.removeChild(body.firstChild);
    body.appendChild(frag);
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    $('count').textContent = String(shown.length);
    $('pageinfo').textContent = '第 ' + (state.page + 1) + ' / ' + pages + ' 页';
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page + 1 >= pages;
    $('empty').hidden = shown.length > 0;
  }

  function update() {
    apply();
    renderHead();
    renderRows();
    syncControls();
    writeHash();
  }

  // --- filter controls ---
  function option(sel, value, label) {
    var o = el('option', '', label);
    o.value = value;
    sel.appendChild(o);
  }
  function fillControls() {
    var miss = $('f-miss');
    option(miss, '', '全部');
    option(miss, 'any', '缺任一必备部分');
    PARTS.forEach(function (p) { if (p[3]) option(miss, p[0], '缺：' + p[2]); });
    option(miss, 'na', '非年度报告（不适用）');
    var s = data.summary;
    var lvl = $('f-lvl');
    option(lvl, '', '全部');
    s.by_level.forEach(function (x) { option(lvl, x[0] === null ? '(none)' : x[0], (x[0] === null ? '未识别' : x[0]) + '（' + x[1] + '）'); });
    var yr = $('f-yr');
    option(yr, '', '全部');
    s.by_year.forEach(function (x) { option(yr, x[0] === null ? '(none)' : String(x[0]), (x[0] === null ? '未识别' : x[0]) + '（' + x[1] + '）'); });
    var fmts = {};
    rows.forEach(function (r) { var f = r.fmt || '(none)'; fmts[f] = (fmts[f] || 0) + 1; });
    var fmt = $('f-fmt');
    option(fmt, '', '全部');
    Object.keys(fmts).sort().forEach(function (f) { option(fmt, f, (f === '(none)' ? '未知' : f) + '（' + fmts[f] + '）'); });

    var timer = 0;
    $('f-q').addEventListener('input', function (e) {
      clearTimeout(timer);
      var v = e.target.value;
      // Debounced: with 10,000 rows each keystroke would otherwise refilter at once.
      timer = setTimeout(function () { state.q = v; state.page = 0; update(); }, 120);
    });
    [['f-miss', 'miss'], ['f-lvl', 'lvl'], ['f-yr', 'yr'], ['f-fmt', 'fmt']].forEach(function (p) {
      $(p[0]).addEventListener('change', function (e) { state[p[1]] = e.target.value; state.page = 0; update(); });
    });
    $('reset').addEventListener('click', function () {
      state.q = state.miss = state.lvl = state.yr = state.fmt = state.sort = '';
      state.page = 0;
      update();
    });
    $('prev').addEventListener('click', function () { if (state.page > 0) { state.page--; update(); } });
    $('next').addEventListener('click', function () { state.page++; update(); });
  }
  function syncControls() {
    if (doc.activeElement !== $('f-q')) $('f-q').value = state.q;
    $('f-miss').value = state.miss;
    $('f-lvl').value = state.lvl;
    $('f-yr').value = state.yr;
    $('f-fmt').value = state.fmt;
  }

  // --- summary charts (inline SVG, drawn from the embedded counts) ---
  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = doc.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function chart(title, items, pick, cls, labelW) {
    var box = el('figure', 'chart ' + (cls || ''));
    box.appendChild(el('figcaption', '', title));
    if (!items.length) { box.appendChild(el('p', 'none', '无')); return box; }
    var max = Math.max.apply(null, items.map(function (x) { return x[1]; })) || 1;
    var rowH = 22, barW = 140, w = labelW + barW + 50;
    var maxChars = Math.floor(labelW / 7);
    var s = svg('svg', { width: w, height: items.length * rowH + 4, viewBox: '0 0 ' + w + ' ' + (items.length * rowH + 4), role: 'img' });
    s.appendChild(svg('title', {}, title));
    items.forEach(function (x, i) {
      var g = svg('g', { transform: 'translate(0,' + (i * rowH + 2) + ')', 'class': pick ? 'pick' : '' });
      var label = String(x[0]);
      g.appendChild(svg('text', { x: labelW - 6, y: 15, 'text-anchor': 'end', 'class': 'lab' }, label.length > maxChars ? label.slice(0, maxChars - 1) + '…' : label));
      g.appendChild(svg('rect', { x: labelW, y: 3, width: Math.max(1, Math.round(barW * x[1] / max)), height: rowH - 7, rx: 2, 'class': 'bar' }));
      g.appendChild(svg('text', { x: labelW + Math.round(barW * x[1] / max) + 5, y: 15, 'class': 'val' }, x[1]));
      var tip = svg('title', {}, label + '：' + x[1]);
      g.appendChild(tip);
      if (pick) g.addEventListener('click', function () { pick(x); });
      s.appendChild(g);
    });
    box.appendChild(s);
    return box;
  }
  function renderCharts() {
    var s = data.summary, box = $('charts');
    var full = {};
    PARTS.forEach(function (p) { full[p[0]] = p[1]; });
    box.appendChild(chart('缺少各必备部分的报告数', s.missing_by_part.map(function (x) { return [full[x[0]] || x[0], x[1], x[0]]; }),
      function (x) { state.miss = x[2]; state.page = 0; update(); }, 'missing', 90));
    box.appendChild(chart('各年度报告数', s.by_year.map(function (x) { return [x[0] === null ? '未识别' : x[0], x[1], x[0] === null ? '(none)' : String(x[0])]; }),
      function (x) { state.yr = x[2]; state.page = 0; update(); }, '', 70));
    box.appendChild(chart('各层级报告数', s.by_level.map(function (x) { return [x[0] === null ? '未识别' : x[0], x[1], x[0] === null ? '(none)' : x[0]]; }),
      function (x) { state.lvl = x[2]; state.page = 0; update(); }, '', 90));
    box.appendChild(chart('最常见的警告（报告数）', s.top_warnings, null, 'warnings', 230));
    var facts = $('totals');
    facts.textContent = '';
    [['报告', s.reports], ['适用年度报告核查', s.applicable], ['缺必备部分', s.missing_any], ['重复提交（已合并）', s.duplicates]]
      .concat(data.dropped ? [['超出上限未显示', data.dropped]] : [])
      .concat(data.skipped ? [['无法读取的输入', data.skipped]] : [])
      .forEach(function (x) {
        var d = el('div', 'total');
        d.appendChild(el('b', '', x[1]));
        d.appendChild(el('span', '', x[0]));
        facts.appendChild(d);
      });
  }

  // --- detail of one report, rendered on demand ---
  function table(head, body, cls) {
    var t = el('table', 'small ' + (cls || ''));
    var tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', '', h)); });
    var th = el('thead'); th.appendChild(tr); t.appendChild(th);
    var tb = el('tbody');
    body.forEach(function (cells) {
      var r = el('tr');
      cells.forEach(function (c) {
        if (c instanceof Node) { var td = el('td'); td.appendChild(c); r.appendChild(td); }
        else r.appendChild(el('td', c === null || c === undefined || c === '' ? 'absent' : '', c === null || c === undefined || c === '' ? '—' : c));
      });
      tb.appendChild(r);
    });
    t.appendChild(tb);
    return t;
  }
  function tree(nodes, depth) {
    var ul = el('ul', depth ? '' : 'tree');
    nodes.forEach(function (n) {
      var li = el('li');
      li.appendChild(el('span', 'num', n.n));
      li.appendChild(doc.createTextNode(' ' + n.t));
      (n.p || []).forEach(function (code) {
        var i = partIndex[code];
        li.appendChild(el('span', 'badge b-p', i === undefined ? code : PARTS[i][1]));
      });
      if (n.c) li.appendChild(tree(n.c, depth + 1));
      ul.appendChild(li);
    });
    return ul;
  }
  function section(title, content) {
    var s = el('section');
    s.appendChild(el('h3', '', title));
    s.appendChild(content);
    return s;
  }
  function openDetail(id) {
    state.doc = id;
    writeHash();
    renderDetail();
  }
  function closeDetail() {
    state.doc = '';
    writeHash();
    $('detail').hidden = true;
    $('shade').hidden = true;
  }
  function renderDetail() {
    var r = null;
    for (var i = 0; i < rows.length; i++) if (rows[i].id === state.doc) { r = rows[i]; break; }
    var box = $('detail-body');
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!r) { $('detail').hidden = true; $('shade').hidden = true; return; }
    var src = doc.getElementById('d' + r.i);
    if (!src) return; // still loading: DOMContentLoaded renders it
    var d = JSON.parse(src.textContent);
    box.appendChild(el('h2', '', r.title || '（无标题）'));
    var miss = [], na = r.parts.charAt(0) === 'n';
    PARTS.forEach(function (p, i) { if (r.parts.charAt(i) === 'm') miss.push(p[2]); });
    var call = el('div', 'callout ' + (na ? 'na' : miss.length ? 'bad' : 'ok'));
    if (na) call.textContent = '非年度报告（' + (r.kind || '其他公文') + '）：不做必备部分核查。';
    else if (miss.length) {
      call.appendChild(el('b', '', '缺少必备部分：'));
      var ul = el('ul');
      miss.forEach(function (m) { ul.appendChild(el('li', '', m)); });
      call.appendChild(ul);
    } else if (r.parts.indexOf('u') >= 0) call.textContent = '结果未说明部分必备部分的情况（旧版或其他解析器的结果）。';
    else call.textContent = '四个必备部分齐全。';
    box.appendChild(call);
    var meta = [['机构', r.org], ['层级', r.lvl], ['报告年度', r.yr], ['格式', r.fmt], ['来源', r.key], ['document_id', r.id]];
    if (r.also) meta.push(['重复提交', r.also.join('\n')]);
    box.appendChild(table(['项目', '内容'], meta.concat(d.info), 'kv'));
    box.appendChild(section('章节结构（' + r.ns + '）', d.secs.length ? tree(d.secs, 0) : el('p', 'absent', '未识别出编号章节')));
    box.appendChild(section('GB/T 9704 公文要素', table(['要素', '内容'], d.gbt, 'kv')));
    box.appendChild(section('数据事实（' + r.nf + '）', d.facts.length ? table(['数值', '单位', '修饰', '类别', '原文', '所在章节'],
      d.facts.map(function (f) { return [f.v, f.u, f.q, f.k, f.s, f.p]; }), 'facts') : el('p', 'absent', '无')));
    box.appendChild(section('已做的规范化处理（' + r.nw + '）', d.warns.length ? table(['代码', '说明'], d.warns) : el('p', 'absent', '无')));
    if (d.cut) box.appendChild(el('p', 'note', '列表过长，只显示前一部分；完整内容见结果 JSON。'));
    $('shade').hidden = false;
    $('detail').hidden = false;
    $('detail').scrollTop = 0;
    $('close').focus();
  }

  $('close').addEventListener('click', closeDetail);
  $('shade').addEventListener('click', closeDetail);
  doc.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !$('detail').hidden) closeDetail(); });
  window.addEventListener('hashchange', function () { readHash(); update(); renderDetail(); });

  readHash();
  fillControls();
  renderCharts();
  update();
  // The detail elements come after this script: open a linked report once it is parsed.
  if (state.doc) doc.addEventListener('DOMContentLoaded', renderDetail);
  doc.documentElement.setAttribute('data-render-ms', (performance.now() - t0).toFixed(1));
  doc.documentElement.setAttribute('data-ready-ms', performance.now().toFixed(1));
  doc.documentElement.setAttribute('data-ready', '1');
})();
