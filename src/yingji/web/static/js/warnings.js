/* 预警中心 (/warnings): the active warnings by level in a list and on the map, the selected warning's
   detail (history, the sensor's last 24 hours with its thresholds, the actions), kept current from the
   server-sent events of /api/v1/events (topic "warnings"). The JSON API is called with the session
   cookie and X-CSRF-Token. Plain JavaScript, Leaflet 1.9 and ECharts 5, no CDN. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('wrn-config').textContent);
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var zh = (cfg.lang || 'zh-CN').indexOf('zh') === 0;
  var DAY_MS = 24 * 3600 * 1000;

  /* ---- texts, elements ------------------------------------------------------------------------- */
  function T(key, params) {
    var text = cfg.i18n[key];
    if (text === undefined) text = key;
    Object.keys(params || {}).forEach(function (k) { text = text.split('{' + k + '}').join(String(params[k])); });
    return text;
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function lvl(level) { return cfg.levels[String(level)] || {name: 'none', label: String(level), short: String(level), colour: '#6b7280'}; }
  function divisionName(code) { return cfg.divisionNames[code] || code || '—'; }
  function sourceText(w) { return (cfg.sourceType[w.source_type] || w.source_type) + ' · ' + (w.area_desc || w.source_id); }

  /* ---- times in the city's time zone -------------------------------------------------------------- */
  var timeFmt = new Intl.DateTimeFormat(zh ? 'zh-CN' : 'en-GB', {timeZone: cfg.timezone || 'Asia/Shanghai',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false});
  function fmtTime(iso) {
    if (!iso) return '—';
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '—' : timeFmt.format(d);
  }

  /* ---- the API ------------------------------------------------------------------------------------- */
  function ApiError(status, detail) { this.status = status; this.detail = detail; }

  function request(method, url, body) {
    var headers = {'Accept': 'application/json'};
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, {method: method, credentials: 'same-origin', headers: headers,
      body: body !== undefined ? JSON.stringify(body) : undefined
    }).catch(function () { throw new ApiError(0, ''); }).then(function (r) {
      if (r.status === 401) window.location.href = '/login?next=' + encodeURIComponent(location.pathname);
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) throw new ApiError(r.status, data && data.detail);
        return data;
      });
    });
  }
  function get(url) { return request('GET', url); }

  function detailText(detail) {
    if (!detail) return '';
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) return detail.map(function (d) { return (d && d.msg) || JSON.stringify(d); }).join('; ');
    return JSON.stringify(detail);
  }
  function errorText(err) {
    if (!(err instanceof ApiError)) return T('err.generic', {status: 'JS', msg: (err && err.message) || String(err)});
    if (err.status === 0) return T('err.offline');
    if (err.status === 403) return T('err.forbidden');
    if (err.status === 404) return T('err.not_found');
    if (err.status === 409) return T('err.conflict', {msg: detailText(err.detail)});
    if (err.status === 422 && /reason/.test(detailText(err.detail))) return T('reason_required');
    return T('err.generic', {status: err.status, msg: detailText(err.detail) || '—'});
  }

  /* ---- state --------------------------------------------------------------------------------------- */
  var state = {
    warnings: cfg.warnings || [],  // the active warnings, most severe first (as the API orders them)
    known: {},                     // ids seen so far: a warning not among them is marked new
    fresh: {},                     // id → until when it is marked new (or until it is selected)
    selected: cfg.selected || null,
    detail: null,                  // the selected warning as last read (may be lifted or expired)
    unackOnly: false
  };
  state.warnings.forEach(function (w) { state.known[w.id] = true; });

  function byId(id) {
    for (var i = 0; i < state.warnings.length; i += 1) if (state.warnings[i].id === id) return state.warnings[i];
    return null;
  }
  function visibleWarnings() {
    return state.warnings.filter(function (w) { return !state.unackOnly || !w.acknowledged_at; });
  }

  /* ---- the list ------------------------------------------------------------------------------------ */
  var list = $('wrn-list');

  function itemNode(w, fresh) {
    var name = lvl(w.level).name;
    var li = el('li', 'wrn-item wrn-lvl-' + name + (w.acknowledged_at ? ' wrn-acked' : '') + (fresh ? ' wrn-new' : ''));
    li.setAttribute('data-warning-id', w.id);
    li.setAttribute('data-level', w.level);
    li.setAttribute('data-acknowledged', w.acknowledged_at ? 'true' : 'false');
    li.tabIndex = 0;
    if (w.id === state.selected) li.setAttribute('aria-current', 'true');
    var head = el('div', 'wrn-item-head');
    head.appendChild(el('span', 'wrn-badge', lvl(w.level).short));
    head.appendChild(document.createTextNode(' '));
    head.appendChild(el('span', 'wrn-headline', w.headline));
    if (w.cap_status && w.cap_status !== 'Actual') head.appendChild(el('span', 'wrn-tag', T('exercise')));
    if (fresh) head.appendChild(el('span', 'wrn-tag wrn-tag-new', T('new')));
    li.appendChild(head);
    var sub = el('div', 'wrn-item-sub');
    sub.appendChild(el('span', 'wrn-source', sourceText(w)));
    sub.appendChild(document.createTextNode(' · '));
    sub.appendChild(el('span', 'wrn-division', divisionName(w.division_code)));
    sub.appendChild(document.createTextNode(' · '));
    var time = el('time', '', fmtTime(w.raised_at));
    time.setAttribute('datetime', w.raised_at);
    sub.appendChild(time);
    sub.appendChild(document.createTextNode(' · '));
    var st = el('span', 'wrn-state', T(w.acknowledged_at ? 'acknowledged' : 'unacknowledged'));
    st.setAttribute('data-state', w.acknowledged_at ? 'acknowledged' : 'unacknowledged');
    sub.appendChild(st);
    if (w.incident_id) {
      sub.appendChild(document.createTextNode(' · '));
      sub.appendChild(el('span', 'wrn-inc', T('incident_link', {id: w.incident_id})));
    }
    li.appendChild(sub);
    return li;
  }

  var FRESH_MS = 10 * 60 * 1000;

  function renderList() {
    var shown = visibleWarnings();
    var now = Date.now();
    list.textContent = '';
    Object.keys(cfg.levels).sort().forEach(function (level) {
      var items = shown.filter(function (w) { return String(w.level) === level; });
      var info = lvl(level);
      var group = el('section', 'wrn-group wrn-lvl-' + info.name);
      group.setAttribute('data-level', level);
      group.hidden = !items.length;
      var h = el('h3', 'wrn-group-title');
      h.appendChild(el('span', 'wrn-dot'));
      h.appendChild(document.createTextNode(info.short + ' '));
      h.appendChild(el('span', 'wrn-group-count', String(items.length)));
      group.appendChild(h);
      var ol = el('ol', 'wrn-items');
      items.forEach(function (w) { ol.appendChild(itemNode(w, (state.fresh[w.id] || 0) > now)); });
      group.appendChild(ol);
      list.appendChild(group);
    });
    $('wrn-empty').hidden = shown.length > 0;
    $('wrn-total').textContent = String(state.warnings.length);
    Array.prototype.forEach.call(document.querySelectorAll('#wrn-counts [data-level]'), function (li) {
      var n = state.warnings.filter(function (w) { return String(w.level) === li.getAttribute('data-level'); }).length;
      li.querySelector('[data-count]').textContent = String(n);
      li.classList.toggle('wrn-zero', n === 0);
    });
  }

  list.addEventListener('click', function (e) {
    var li = e.target.closest ? e.target.closest('[data-warning-id]') : null;
    if (li) select(+li.getAttribute('data-warning-id'), true);
  });
  list.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    var li = e.target.closest ? e.target.closest('[data-warning-id]') : null;
    if (li) { e.preventDefault(); select(+li.getAttribute('data-warning-id'), true); }
  });
  $('wrn-unack').addEventListener('change', function (e) {
    state.unackOnly = e.target.checked;
    renderList();
    drawMarkers();
  });

  /* ---- the map ------------------------------------------------------------------------------------- */
  var mapElem = $('wrn-map');
  var map = L.map(mapElem, {zoomControl: true, attributionControl: !!cfg.tileUrl});
  map.setView(cfg.centre, cfg.zoom);
  if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, {maxZoom: 19, attribution: esc(cfg.tileAttribution || '')}).addTo(map);
  else mapElem.classList.add('offline');
  L.control.scale({imperial: false}).addTo(map);
  var areas = L.layerGroup().addTo(map);
  var markerLayer = L.layerGroup().addTo(map);
  var markers = {};
  var fitted = false;
  window.yingjiMap = map;
  /* the grid may size the map after Leaflet has measured it: measure again whenever it changes */
  if (typeof window.ResizeObserver === 'function') {
    new ResizeObserver(function () { map.invalidateSize({pan: false}); }).observe(mapElem);
  }

  if (cfg.can.divisions) {
    window.yjBoundaries(map, {names: cfg.divisionNames, labels: !cfg.tileUrl, pane: 'wrnBoundaries'});
  }

  function drawMarkers() {
    areas.clearLayers();
    markerLayer.clearLayers();
    markers = {};
    var points = [];
    /* the least severe first, so that red markers lie on top */
    visibleWarnings().slice().sort(function (a, b) { return b.level - a.level; }).forEach(function (w) {
      var info = lvl(w.level);
      if (w.area && (w.area.type === 'Polygon' || w.area.type === 'MultiPolygon')) {
        L.geoJSON(w.area, {interactive: false, style: {color: info.colour, weight: 2, fillColor: info.colour,
          fillOpacity: 0.15, className: 'wrn-area wrn-lvl-' + info.name}}).addTo(areas);
      }
      if (w.lat === null || w.lon === null || w.lat === undefined || w.lon === undefined) return;
      var selected = w.id === state.selected;
      var m = L.circleMarker([w.lat, w.lon], {
        radius: selected ? 12 : 9, weight: selected ? 4 : 2.5, color: selected ? '#111827' : '#ffffff', opacity: 1,
        fillColor: info.colour, fillOpacity: 0.95, bubblingMouseEvents: false,
        className: 'wrn-marker wrn-lvl-' + info.name + (w.acknowledged_at ? ' wrn-acked' : '') + (selected ? ' wrn-selected' : '')
      });
      m.bindTooltip(esc(info.short + ' · ' + w.headline), {direction: 'top'});  // Leaflet sets innerHTML
      m.on('click', function () { select(w.id, false); });
      m.addTo(markerLayer);
      markers[w.id] = m;
      points.push([w.lat, w.lon]);
    });
    Object.keys(markers).forEach(function (id) {
      var path = markers[id].getElement ? markers[id].getElement() : null;
      if (path) path.setAttribute('data-warning-id', id);
    });
    if (!fitted && points.length) {
      fitted = true;
      if (points.length === 1) map.setView(points[0], 12, {animate: false});
      else map.fitBounds(points, {padding: [40, 40], maxZoom: 12, animate: false});
    }
  }

  function focusMarker(id) {
    var m = markers[id];
    if (!m) return;
    map.invalidateSize({pan: false});
    map.setView(m.getLatLng(), Math.max(map.getZoom(), 11), {animate: false});
    m.openTooltip();
  }

  /* ---- the detail panel ---------------------------------------------------------------------------- */
  var chart = null;
  var chartFor = null;  // the sensor whose readings the chart shows
  var detailSeq = 0;

  function say(text, kind) {
    var box = $('d-msg');
    box.textContent = '';
    if (text && typeof text === 'object') box.appendChild(text); else box.textContent = text || '';
    box.setAttribute('data-state', kind || 'info');
  }

  function writable(w) {
    if (!cfg.can.update || w.status !== 'active') return false;
    return !(cfg.user.role === 'department' && w.unit_id !== cfg.user.unit);
  }

  function incidentLink(id) {
    var label = T('incident_link', {id: id});
    if (!cfg.can.incidents) return el('span', '', label);
    var a = el('a', 'wrn-inc-link', label);
    a.href = '/incidents/' + id;
    a.setAttribute('data-testid', 'incident-link');
    return a;
  }

  function renderDetail(w, events, reloadChart) {
    $('d-empty').hidden = true;
    $('d-body').hidden = false;
    var info = lvl(w.level);
    var badge = $('d-level');
    badge.className = 'wrn-badge wrn-lvl-' + info.name;
    badge.textContent = info.label;
    badge.setAttribute('data-level', w.level);
    $('d-headline').textContent = w.headline;
    var status = $('d-status');
    status.textContent = cfg.status[w.status] || w.status;
    status.setAttribute('data-status', w.status);
    var ack = $('d-ack');
    ack.setAttribute('data-state', w.acknowledged_at ? 'acknowledged' : 'unacknowledged');
    ack.textContent = w.acknowledged_at
      ? T('acknowledged') + '（' + T('ack_by', {who: w.acknowledged_by || '—', time: fmtTime(w.acknowledged_at)}) + '）'
      : T('unacknowledged');
    $('d-source').textContent = sourceText(w);
    $('d-division').textContent = divisionName(w.division_code);
    $('d-origin').textContent = (cfg.origin[w.origin] || w.origin) + (w.cap_status !== 'Actual' ? ' · ' + T('exercise') : '');
    $('d-raised').textContent = fmtTime(w.raised_at);
    $('d-updated').textContent = fmtTime(w.updated_at);
    var d = w.details || {};
    $('d-value').textContent = (d.value === null || d.value === undefined) ? '—' : d.value + ' ' + (d.unit || '');
    var inc = $('d-incident');
    inc.textContent = '';
    inc.appendChild(w.incident_id ? incidentLink(w.incident_id) : document.createTextNode('—'));
    $('d-description').hidden = !w.description;
    $('d-description').textContent = w.description || '';
    $('d-instruction').hidden = !w.instruction;
    $('d-instruction').textContent = w.instruction || '';
    if ($('d-cap')) $('d-cap').href = cfg.api + '/' + w.id + '/cap';
    var canWrite = writable(w);
    if ($('d-actions')) {
      $('d-actions').hidden = w.status !== 'active';
      $('act-ack').disabled = !canWrite || !!w.acknowledged_at;
      $('act-up').disabled = !canWrite || w.level <= 1;
      $('act-down').disabled = !canWrite || w.level >= 4;
      $('act-lift').disabled = !canWrite;
      if ($('act-incident')) {
        $('act-incident').hidden = !!w.incident_id;
        $('act-incident').disabled = !canWrite;
      }
      Array.prototype.forEach.call($('lift-form').querySelectorAll('button'), function (b) { b.disabled = !canWrite; });
      if (!canWrite) $('lift-form').hidden = true;
    }
    var note = $('d-note');
    note.textContent = w.status !== 'active' ? T('not_active', {status: cfg.status[w.status] || w.status})
      : (cfg.can.update && !canWrite ? T('not_own_unit') : '');
    note.hidden = !note.textContent;
    if (events) renderHistory(events);
    if (w.sensor_id && cfg.can.readings) {
      if (chartFor !== w.sensor_id || reloadChart) loadChart(w);
    } else {
      $('d-chart-box').hidden = true;
      chartFor = null;
    }
  }

  function renderHistory(events) {
    var ol = $('d-history');
    ol.textContent = '';
    events.slice().reverse().forEach(function (ev) {
      var li = el('li', 'wrn-ev');
      li.setAttribute('data-kind', ev.kind);
      li.appendChild(el('time', 'wrn-ev-time', fmtTime(ev.at)));
      li.appendChild(el('span', 'wrn-ev-kind', cfg.eventKind[ev.kind] || ev.kind));
      if (ev.level_from && ev.level_to && ev.level_from !== ev.level_to) {
        li.appendChild(el('span', 'wrn-ev-level', T('ev.level', {from: lvl(ev.level_from).short, to: lvl(ev.level_to).short})));
      }
      li.appendChild(el('span', 'wrn-ev-actor', ev.actor));
      if (ev.note) li.appendChild(el('span', 'wrn-ev-note', ev.note));
      ol.appendChild(li);
    });
  }

  function loadDetail(id, reloadChart) {
    var seq = (detailSeq += 1);
    return Promise.all([get(cfg.api + '/' + id), get(cfg.api + '/' + id + '/events')]).then(function (res) {
      if (seq !== detailSeq || id !== state.selected) return;
      state.detail = res[0];
      renderDetail(res[0], res[1], reloadChart);
    }).catch(function (err) {
      if (seq === detailSeq) say(errorText(err), 'error');
    });
  }

  function select(id, fromList) {
    if (state.selected !== id) say('');
    state.selected = id;
    if (state.fresh[id]) { delete state.fresh[id]; renderList(); }
    Array.prototype.forEach.call(list.querySelectorAll('[data-warning-id]'), function (li) {
      if (+li.getAttribute('data-warning-id') === id) li.setAttribute('aria-current', 'true');
      else li.removeAttribute('aria-current');
    });
    drawMarkers();
    if (fromList) focusMarker(id);
    var w = byId(id);
    // the buttons act on state.detail: it must be the selected warning from now on, never the one
    // selected before while the detail is still loading
    state.detail = w || null;
    if (w) renderDetail(w, null);
    if (window.history && window.history.replaceState) window.history.replaceState(null, '', '/warnings/' + id);
    return loadDetail(id);
  }

  /* ---- the sensor chart: the last 24 hours with the thresholds of its rules ------------------------------ */
  var LEVEL_OF_INDEX = [4, 3, 2, 1];  // thresholds are given blue, yellow, orange, red

  function thresholdLines(rules) {
    var lines = [], seen = {}, rate = [];
    var valueRules = rules.filter(function (r) { return r.type === 'threshold' || r.type === 'sustained'; });
    valueRules.forEach(function (r) {
      (r.thresholds || []).forEach(function (v, i) {
        if (v === null || v === undefined) return;
        var level = LEVEL_OF_INDEX[i];
        var key = level + ':' + v;
        if (seen[key]) return;
        seen[key] = true;
        lines.push({level: level, value: v, rule: r.cause, direction: r.direction || 'above'});
      });
    });
    rules.filter(function (r) { return r.type === 'rate'; }).forEach(function (r) {
      (r.thresholds || []).forEach(function (v, i) { if (v !== null && v !== undefined) rate.push(lvl(LEVEL_OF_INDEX[i]).short + ' ' + v); });
    });
    return {lines: lines, rate: rate, several: valueRules.length > 1};
  }

  function markLineData(w, th) {
    var data = th.lines.map(function (t) {
      var info = lvl(t.level);
      var position = t.level % 2 ? 'insideEndTop' : 'insideStartTop';  /* neighbouring levels on opposite ends */
      return {yAxis: t.value, name: info.short,
        lineStyle: {color: info.colour, type: 'dashed', width: 1.6},
        label: {formatter: info.short + ' ' + t.value + (th.several ? ' (' + t.rule + ')' : ''), color: info.colour,
          position: position, fontWeight: 'bold'}};
    });
    var raised = new Date(w.raised_at).getTime();
    if (!isNaN(raised) && raised >= Date.now() - DAY_MS) {
      data.push({xAxis: raised, name: T('chart.raised'), lineStyle: {color: '#374151', type: 'dotted', width: 1.2},
        label: {formatter: T('chart.raised'), color: '#374151', position: 'insideMiddleTop'}});
    }
    return data;
  }

  /* [min, max, step] of a value axis holding lo … hi with a margin, on round numbers */
  function niceRange(lo, hi) {
    var span = hi - lo || Math.abs(hi) || 1;
    var raw = span * 1.1 / 5;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * mag; }).filter(function (v) { return v >= raw; })[0];
    var min = Math.floor((lo - span * 0.05) / step) * step;
    if (lo >= 0 && min < 0) min = 0;
    var max = Math.ceil((hi + span * 0.05) / step) * step;
    return [+min.toPrecision(6), +max.toPrecision(6), step];
  }

  function loadChart(w) {
    var sensorId = w.sensor_id;
    chartFor = sensorId;
    var box = $('d-chart-box'), elem = $('d-chart'), note = $('d-chart-note');
    box.hidden = false;
    elem.removeAttribute('data-ready');
    elem.removeAttribute('data-thresholds');
    note.textContent = T('loading');
    var since = new Date(Date.now() - DAY_MS).toISOString();
    var base = '/api/v1/sensors/' + sensorId;
    Promise.all([get(base), get(base + '/rules'),
      // oldest first: the limit must hold a whole day (a reading a second is 86,400), or the latest
      // hours — the ones that matter — would be cut; ECharts thins the line for drawing (lttb)
      get(base + '/readings?since=' + encodeURIComponent(since) + '&limit=100000')]).then(function (res) {
      if (chartFor !== sensorId) return;
      var sensor = res[0], rules = res[1] || [], readings = res[2] || [];
      $('d-sensor').textContent = T('chart.sensor', {name: sensor.name, unit: sensor.unit});
      var th = thresholdLines(rules);
      var values = readings.map(function (r) { return r.value; });
      var all = values.concat(th.lines.map(function (t) { return t.value; }));
      var lo = all.length ? Math.min.apply(null, all) : 0, hi = all.length ? Math.max.apply(null, all) : 1;
      var axis = niceRange(lo, hi);
      var option = {
        animation: false,
        grid: {left: 48, right: 16, top: 34, bottom: 28},
        tooltip: {trigger: 'axis', valueFormatter: function (v) { return v + ' ' + sensor.unit; }},
        xAxis: {type: 'time', min: Date.now() - DAY_MS, max: Date.now(), axisLabel: {formatter: '{HH}:{mm}'}},
        yAxis: {type: 'value', name: sensor.unit, min: axis[0], max: axis[1], interval: axis[2],
          nameTextStyle: {align: 'right'}},
        series: [{name: T('chart.value'), type: 'line', sampling: 'lttb', showSymbol: readings.length < 30, symbolSize: 5,
          lineStyle: {width: 1.6, color: '#1f2937'}, itemStyle: {color: '#1f2937'},
          data: readings.map(function (r) { return [new Date(r.ts).getTime(), r.value]; }),
          markLine: {silent: true, symbol: 'none', data: markLineData(w, th)}}]
      };
      if (!chart) {
        chart = echarts.init(elem);
        window.addEventListener('resize', function () { chart.resize(); });
      }
      chart.clear();
      chart.setOption(option);
      window.yjWarningChart = chart;
      elem.setAttribute('data-thresholds', JSON.stringify(th.lines.map(function (t) {
        return {level: t.level, colour: lvl(t.level).name, value: t.value};
      })));
      elem.setAttribute('data-points', String(readings.length));
      elem.setAttribute('data-ready', 'true');
      var notes = [];
      if (!readings.length) notes.push(T('chart.no_data'));
      if (!th.lines.length && !th.rate.length) notes.push(T('chart.no_rules'));
      if (th.rate.length) notes.push(T('chart.rate_note', {unit: sensor.unit, values: th.rate.join(zh ? '，' : ', ')}));
      note.textContent = notes.join(' ');
    }).catch(function (err) {
      if (chartFor !== sensorId) return;
      note.textContent = T('chart.unavailable') + ' ' + errorText(err);
    });
  }

  /* ---- actions --------------------------------------------------------------------------------------- */
  function act(promise, done) {
    var buttons = document.querySelectorAll('#d-actions button, #lift-form button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    say(T('busy'), 'busy');
    return promise.then(function (result) {
      var w = result && result.warning ? result.warning : result;
      if (w && w.id) merge(w);
      say(done(result), 'ok');
      refreshList.now();
      return loadDetail(state.selected);
    }).catch(function (err) {
      say(errorText(err), 'error');
      if (state.detail) renderDetail(state.detail, null);
    });
  }

  function merge(w) {
    if (w.id === state.selected) state.detail = w;
    var found = false;
    state.warnings = state.warnings.map(function (x) { if (x.id === w.id) { found = true; return w; } return x; })
      .filter(function (x) { return x.status === 'active'; });
    if (!found && w.status === 'active') state.warnings.push(w);
    state.warnings.sort(function (a, b) { return a.level - b.level; });
    renderList();
    drawMarkers();
  }

  if ($('d-actions')) {
    $('act-ack').addEventListener('click', function () {
      act(request('POST', cfg.api + '/' + state.selected + '/acknowledge', {}), function () { return T('done.acknowledged'); });
    });
    var changeLevel = function (delta) {
      var w = state.detail;
      if (!w || w.id !== state.selected) return;
      var level = w.level + delta;
      act(request('PATCH', cfg.api + '/' + w.id, {level: level}), function () { return T('done.level', {level: lvl(level).label}); });
    };
    $('act-up').addEventListener('click', function () { changeLevel(-1); });
    $('act-down').addEventListener('click', function () { changeLevel(1); });
    if ($('act-incident')) {
      $('act-incident').addEventListener('click', function () {
        act(request('POST', cfg.api + '/' + state.selected + '/escalate'), function (res) {
          var span = el('span');
          span.appendChild(document.createTextNode(T(res.created ? 'done.incident' : 'done.incident_existing')));
          span.appendChild(incidentLink(res.incident_id));
          return span;
        });
      });
    }
    $('act-lift').addEventListener('click', function () {
      $('lift-form').hidden = false;
      $('lift-reason').focus();
    });
    $('lift-cancel').addEventListener('click', function () { $('lift-form').hidden = true; });
    $('lift-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var reason = $('lift-reason').value.trim();
      if (!reason) { say(T('reason_required'), 'error'); $('lift-reason').focus(); return; }
      act(request('POST', cfg.api + '/' + state.selected + '/lift', {reason: reason}), function () {
        $('lift-form').hidden = true;
        $('lift-reason').value = '';
        return T('done.lifted');
      });
    });
  }

  /* ---- refreshing, live ------------------------------------------------------------------------------ */
  function loadList() {
    return get(cfg.api + '?status=active&size=' + cfg.maxActive).then(function (page) {
      (page.items || []).forEach(function (w) {
        if (!state.known[w.id]) { state.fresh[w.id] = Date.now() + FRESH_MS; state.known[w.id] = true; }
      });
      state.warnings = page.items || [];
      renderList();
      drawMarkers();
    });
  }

  var refresher = window.yjRefresher;  // static/js/refresher.js
  var refreshList = refresher(loadList);
  var refreshDetail = refresher(function () { return state.selected ? loadDetail(state.selected, true) : null; });

  function live() {
    var box = $('live');
    function set(s) { box.setAttribute('data-live', s); box.textContent = T('live.' + s); }
    if (typeof window.EventSource !== 'function') { set('off'); return; }
    var es = new EventSource('/api/v1/events?topics=warnings');
    var opened = false;
    es.onopen = function () {
      set('on');
      if (opened) { refreshList(); refreshDetail(); }  /* back after a break: load what was missed */
      opened = true;
    };
    es.onerror = function () { set(es.readyState === 2 ? 'off' : 'connecting'); };
    es.addEventListener('warnings', function (e) {
      var ev = null;
      try { ev = JSON.parse(e.data); } catch (x) { return; }
      live.received += 1;
      refreshList();
      if (ev && ev.data && ev.data.warning_id === state.selected) refreshDetail();
    });
    window.addEventListener('pagehide', function () { es.close(); });
  }
  live.received = 0;
  window.yjWarningsLive = live;

  /* ---- start ----------------------------------------------------------------------------------------- */
  renderList();
  drawMarkers();
  if (state.selected) select(state.selected, true);
  live();
  setInterval(refreshList, 300000);  /* a safety net: re-read the list every five minutes */
})();
