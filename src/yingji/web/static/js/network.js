/* Network analysis on the one map (路网分析): isochrones, nearest resources with ETAs and routes,
   coverage by division, road closures drawn by hand, fire-station siting.
   Drives the routing API (/api/v1/routing/…) with the session cookie; Leaflet 1.9, no plugins. */
(function () {
  'use strict';
  var map = window.yingjiMap;
  var cfg = JSON.parse(document.getElementById('map-config').textContent);
  var NET = cfg.network;
  var panel = document.getElementById('net-panel');
  if (!map || !NET || !panel) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var lang = cfg.lang || 'zh-CN';
  var BASE = '/api/v1/routing';
  var divisionNames = NET.divisionNames || {};

  /* ---- small helpers ------------------------------------------------------------------------ */
  function $(id) { return document.getElementById(id); }

  function N(key, params) {
    var text = NET.i18n[key] || key;
    if (params) {
      Object.keys(params).forEach(function (k) { text = text.split('{' + k + '}').join(String(params[k])); });
    }
    return text;
  }

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function fmtInt(v) { return Math.round(v).toLocaleString(lang === 'en' ? 'en' : 'zh-CN'); }
  function fmtMin(seconds) { var m = seconds / 60; return m < 10 ? m.toFixed(1) : String(Math.round(m)); }
  function fmtKm(metres) { return (metres / 1000).toFixed(metres < 10000 ? 2 : 1); }
  function pct(x) { return x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%'; }
  function divisionName(code, fallback) { return divisionNames[code] || fallback || code || '—'; }
  function fmtTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    return d.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN',
      {month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});
  }
  function wrapped(latlng) { var w = latlng.wrap(); return {lon: +w.lng.toFixed(6), lat: +w.lat.toFixed(6)}; }
  function query(params) {
    return Object.keys(params).filter(function (k) {
      return params[k] !== null && params[k] !== undefined && params[k] !== '';
    }).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
  }

  /* ---- the API -------------------------------------------------------------------------------- */
  function ApiError(status, detail) { this.status = status; this.detail = detail; }

  function request(method, url, body) {
    var headers = {'Accept': 'application/json'};
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, {
      method: method, credentials: 'same-origin', headers: headers,
      body: body !== undefined ? JSON.stringify(body) : undefined
    }).catch(function () { throw new ApiError(0, ''); }).then(function (r) {
      if (r.status === 401) {
        window.location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
      }
      if (r.status === 204) return null;
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) throw new ApiError(r.status, data && data.detail);
        return data;
      });
    });
  }

  function detailText(detail) {
    if (!detail) return '';
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail.map(function (d) { return d && d.msg ? d.msg : JSON.stringify(d); }).join('; ');
    }
    return String(detail);
  }

  function errorText(err) {
    if (!(err instanceof ApiError)) return N('err.generic', {status: 'JS', message: (err && err.message) || String(err)});
    if (err.status === 0) return N('err.offline');
    var msg = detailText(err.detail);
    var m = /point is (\d+) m from the nearest road \(limit (\d+) m\)/.exec(msg);
    if (m) return N('err.off_road', {distance: fmtInt(+m[1]), limit: fmtInt(+m[2])});
    if (err.status === 404 && /road network/.test(msg)) return N('err.no_network');
    if (err.status === 404 && /population grid/.test(msg)) return N('err.no_population');
    if (err.status === 409 && /no open route/.test(msg)) return N('err.no_route');
    if (err.status === 403) return N('err.forbidden');
    if (/closes no road/.test(msg)) return N('err.no_road');
    if (/to measure from/.test(msg)) return N('err.no_sources');
    if (/invalid polygon/.test(msg)) return N('err.invalid_polygon');
    return N('err.generic', {status: err.status, message: msg || '—'});
  }

  function say(box, text, state) {
    box.textContent = text || '';
    box.setAttribute('data-state', state || 'info');
  }

  /* An analysis answered: a network is loaded after all (e.g. imported after the page was opened). */
  function networkOk() { $('net-unavailable').hidden = true; }

  function fail(box, err) {
    say(box, errorText(err), 'error');
    if (err instanceof ApiError && err.status === 404 && /road network/.test(detailText(err.detail))) {
      $('net-unavailable').hidden = false;
    }
  }

  /* "已考虑 N 处阻断": every routing answer names the closures it took into account. */
  function closuresNote(answer) {
    var shown = (answer.closures || []).length;
    var hidden = answer.closures_outside_scope || 0;
    var note = el('span', 'net-closures-note', N('closures_considered', {n: shown + hidden}) +
      (hidden ? N('closures_hidden', {n: hidden}) : ''));
    note.setAttribute('data-closures', String(shown + hidden));
    if (shown) note.title = (answer.closures || []).map(function (c) { return c.reason; }).join(' / ');
    return note;
  }

  function sayWithClosures(box, text, answer) {
    box.textContent = '';
    box.setAttribute('data-state', 'ok');
    if (text) box.appendChild(el('span', 'net-msg-text', text));
    box.appendChild(closuresNote(answer));
  }

  /* ---- panes and layers ------------------------------------------------------------------------ */
  map.createPane('netAreas');
  map.getPane('netAreas').style.zIndex = 380;  /* above the boundaries, below the markers */
  map.createPane('netLines');
  map.getPane('netLines').style.zIndex = 450;  /* routes and drawings above the markers */
  var cellRenderer = L.canvas({pane: 'netAreas', padding: 0.3});
  var layers = {};
  ['iso', 'near', 'route', 'cov', 'site', 'closures', 'draft'].forEach(function (name) {
    layers[name] = L.featureGroup().addTo(map);
  });
  var last = {iso: null, nearest: null, route: null, coverage: null, siting: null, closures: null};

  /* ---- the legend on the map ------------------------------------------------------------------- */
  var legendBox = null;
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    legendBox = L.DomUtil.create('div', 'net-map-legend');
    legendBox.setAttribute('data-testid', 'net-map-legend');
    L.DomEvent.disableClickPropagation(legendBox);
    legendBox.hidden = true;
    return legendBox;
  };
  legend.addTo(map);
  var legendParts = {iso: null, cov: null};

  function legendBlock(title, rows) {
    var box = el('div', 'net-legend-block');
    box.appendChild(el('div', 'net-legend-title', title));
    rows.forEach(function (row) {
      var line = el('div', 'net-legend-row');
      var sw = el('span', 'net-swatch' + (row.square ? ' square' : ''));
      sw.style.setProperty('--swatch', row.colour);
      line.appendChild(sw);
      line.appendChild(el('span', '', row.label));
      box.appendChild(line);
    });
    return box;
  }

  function renderLegend() {
    if (!legendBox) return;
    legendBox.textContent = '';
    ['iso', 'cov'].forEach(function (k) { if (legendParts[k]) legendBox.appendChild(legendParts[k].cloneNode(true)); });
    legendBox.hidden = !legendBox.childNodes.length;
  }

  function setLegend(part, title, rows, panelBox) {
    legendParts[part] = rows && rows.length ? legendBlock(title, rows) : null;
    if (panelBox) {
      panelBox.textContent = '';
      if (legendParts[part]) panelBox.appendChild(legendParts[part].cloneNode(true));
    }
    renderLegend();
  }

  /* ---- the panel: tools, collapsing ------------------------------------------------------------ */
  var tool = 'iso';
  var drawing = null;  /* {mode: 'rect'|'poly', points: [LatLng], vertices: LayerGroup, preview: Layer} */

  function updateCursor() {
    map.getContainer().classList.toggle('net-pick', !!drawing || tool === 'iso' || tool === 'nearest');
  }

  function selectTool(name) {
    if (drawing) cancelDrawing();
    tool = name;
    panel.querySelectorAll('[data-tool]').forEach(function (b) {
      var on = b.getAttribute('data-tool') === name;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.classList.toggle('active', on);
    });
    panel.querySelectorAll('[data-tool-panel]').forEach(function (p) {
      p.hidden = p.getAttribute('data-tool-panel') !== name;
    });
    updateCursor();
  }

  panel.querySelectorAll('[data-tool]').forEach(function (b) {
    b.addEventListener('click', function () { selectTool(b.getAttribute('data-tool')); });
  });

  var page = document.querySelector('.map-page');
  var toggle = L.control({position: 'topright'});
  var toggleButton = null;
  toggle.onAdd = function () {
    var box = L.DomUtil.create('div', 'leaflet-bar net-toggle');
    toggleButton = L.DomUtil.create('button', '', box);
    toggleButton.type = 'button';
    toggleButton.id = 'net-open';
    toggleButton.textContent = N('toggle');
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.on(toggleButton, 'click', function () { setCollapsed(false); });
    return box;
  };
  toggle.addTo(map);

  function setCollapsed(on) {
    page.classList.toggle('net-collapsed', on);
    panel.hidden = on;
    if (toggleButton) toggleButton.parentNode.hidden = !on;
    map.invalidateSize({pan: false});
  }
  $('net-collapse').addEventListener('click', function () { setCollapsed(true); });
  setCollapsed(window.innerWidth < 1200);

  /* ---- isochrones (等时圈) --------------------------------------------------------------------- */
  var isoMsg = $('iso-msg');
  var isoSeq = 0;

  function parseMinutes() {
    var parts = $('iso-minutes').value.split(/[,，、;；\s]+/).filter(Boolean);
    var values = parts.map(Number);
    if (!values.length || values.length > NET.maxThresholds) return null;
    for (var i = 0; i < values.length; i += 1) {
      if (!isFinite(values[i]) || values[i] <= 0 || values[i] > NET.maxThresholdMin) return null;
    }
    return values.filter(function (v, j) { return values.indexOf(v) === j; }).sort(function (a, b) { return a - b; });
  }

  function isoColour(index) { return NET.isoColours[Math.min(index, NET.isoColours.length - 1)]; }

  function runIso(latlng) {
    var minutes = parseMinutes();
    if (!minutes) { say(isoMsg, N('iso.bad_minutes'), 'error'); return; }
    var seq = ++isoSeq;
    var p = wrapped(latlng);
    last.iso = {latlng: latlng, minutes: minutes};
    say(isoMsg, N('loading'), 'busy');
    var url = BASE + '/isochrones?' + query({
      lon: p.lon, lat: p.lat,
      thresholds: minutes.map(function (m) { return Math.round(m * 60); }).join(',')
    });
    request('GET', url).then(function (fc) {
      if (seq !== isoSeq) return;
      drawIso(fc, latlng);
    }).catch(function (err) {
      if (seq !== isoSeq) return;
      layers.iso.clearLayers();
      setLegend('iso', '', null, $('iso-legend'));
      fail(isoMsg, err);
    });
  }

  function drawIso(fc, latlng) {
    networkOk();
    layers.iso.clearLayers();
    var feats = (fc.features || []).filter(function (f) {
      return f.geometry && f.geometry.coordinates && f.geometry.coordinates.length;
    });
    var thresholds = feats.map(function (f) { return f.properties.threshold_s; }).sort(function (a, b) { return a - b; });
    feats.sort(function (a, b) { return b.properties.threshold_s - a.properties.threshold_s; });  /* outer first */
    feats.forEach(function (f) {
      var t = f.properties.threshold_s;
      var colour = isoColour(thresholds.indexOf(t));
      layers.iso.addLayer(L.geoJSON(f, {
        pane: 'netAreas', interactive: false, className: 'yj-iso yj-iso-' + Math.round(t),
        style: {color: colour, weight: 1.5, opacity: 0.9, fillColor: colour, fillOpacity: 0.28}
      }));
    });
    layers.iso.addLayer(L.circleMarker(latlng, {
      pane: 'netLines', interactive: false, radius: 6, weight: 2, color: '#ffffff', fillColor: '#111827',
      fillOpacity: 1, className: 'yj-iso-origin'
    }));
    var rows = thresholds.map(function (t, i) {
      return {colour: isoColour(i), label: N('minutes', {m: fmtMin(t).replace(/\.0$/, '')})};
    });
    setLegend('iso', N('iso.legend_title'), rows, $('iso-legend'));
    sayWithClosures(isoMsg, N('iso.done', {n: feats.length}), fc);
    isoMsg.setAttribute('data-count', String(feats.length));
    var bounds = layers.iso.getBounds();
    if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 15});
  }

  $('iso-clear').addEventListener('click', function () {
    isoSeq += 1;
    last.iso = null;
    layers.iso.clearLayers();
    setLegend('iso', '', null, $('iso-legend'));
    say(isoMsg, '');
  });

  /* ---- nearest resources (最近资源) and routes ------------------------------------------------- */
  var nearMsg = $('near-msg');
  var nearList = $('near-list');
  var routeInfo = $('route-info');
  var nearSeq = 0;
  var routeSeq = 0;

  function fillOptions(select, choices) {
    var keep = select.value;
    select.textContent = '';
    var any = el('option', '', N('any'));
    any.value = '';
    select.appendChild(any);
    choices.forEach(function (c) {
      var o = el('option', '', c[1]);
      o.value = c[0];
      select.appendChild(o);
    });
    select.value = choices.some(function (c) { return c[0] === keep; }) ? keep : '';
  }

  function resourceChanged() {
    var r = NET.resources[$('near-resource').value];
    if (!r) return;
    fillOptions($('near-kind'), r.kinds);
    fillOptions($('near-capability'), r.capabilities);
    $('near-capability-field').hidden = !r.capabilities.length;
  }
  if ($('near-resource')) {
    $('near-resource').addEventListener('change', resourceChanged);
    resourceChanged();
  }

  function runNearest(latlng, keepRoute) {
    var name = $('near-resource').value;
    var r = NET.resources[name];
    if (!r) return;
    var seq = ++nearSeq;
    var p = wrapped(latlng);
    var k = Math.max(1, Math.min(20, parseInt($('near-k').value, 10) || 5));
    last.nearest = {latlng: latlng};
    if (!keepRoute) clearRoute();
    say(nearMsg, N('loading'), 'busy');
    var url = BASE + '/nearest?' + query({
      lon: p.lon, lat: p.lat, resource: name, k: k,
      kind: $('near-kind').value,
      capability: r.capabilities.length ? $('near-capability').value : '',
      status: $('near-available').checked ? r.available : ''
    });
    return request('GET', url).then(function (ans) {
      if (seq !== nearSeq) return;
      renderNearest(ans, latlng, name);
      if (keepRoute && last.route) showRoute(last.route.item);
    }).catch(function (err) {
      if (seq !== nearSeq) return;
      layers.near.clearLayers();
      nearList.textContent = '';
      fail(nearMsg, err);
    });
  }

  function itemSub(name, item) {
    var r = NET.resources[name];
    var rec = item.record || {};
    var parts = [];
    var kind = r.kindField ? rec[r.kindField] : null;
    var kindLabel = kind ? (r.kinds.filter(function (c) { return c[0] === kind; })[0] || [kind, kind])[1] : '';
    if (kindLabel) parts.push(kindLabel);
    if (r.statusField && rec[r.statusField]) parts.push(r.statuses[rec[r.statusField]] || rec[r.statusField]);
    if (rec.division_code) parts.push(divisionName(rec.division_code));
    return parts.join(' · ');
  }

  function renderNearest(ans, latlng, name) {
    networkOk();
    layers.near.clearLayers();
    nearList.textContent = '';
    var items = ans.items || [];
    layers.near.addLayer(L.marker(latlng, {
      icon: L.divIcon({className: 'yj-incident', html: '<span></span>', iconSize: [22, 22], iconAnchor: [11, 11]}),
      interactive: false, keyboard: false
    }));
    items.forEach(function (item, i) {
      var key = name + ':' + item.id;
      var li = el('li');
      var button = el('button', 'net-item');
      button.type = 'button';
      button.setAttribute('data-near', key);
      button.setAttribute('data-eta-s', String(item.eta_s));
      button.appendChild(el('span', 'net-rank', String(i + 1)));
      var body = el('span', 'net-item-body');
      body.appendChild(el('span', 'net-item-name', item.name));
      body.appendChild(el('span', 'net-item-sub', itemSub(name, item)));
      button.appendChild(body);
      button.appendChild(el('span', 'net-eta', N('eta', {m: fmtMin(item.eta_s)})));
      button.addEventListener('click', function () { showRoute(item); });
      li.appendChild(button);
      nearList.appendChild(li);
      var marker = L.marker([item.lat, item.lon], {
        icon: L.divIcon({className: 'yj-near-marker', html: '<span>' + (i + 1) + '</span>', iconSize: [26, 26], iconAnchor: [13, 13]}),
        title: item.name, riseOnHover: true
      });
      marker.bindTooltip(esc(item.name) + ' · ' + esc(N('eta', {m: fmtMin(item.eta_s)})), {direction: 'top', offset: [0, -12]});
      marker.on('click', function () { showRoute(item); });
      layers.near.addLayer(marker);
    });
    var text = items.length ? N('near.found', {n: items.length}) : N('near.none');
    sayWithClosures(nearMsg, text, ans);
    if (ans.off_network) nearMsg.appendChild(el('span', 'net-msg-extra', N('near.off_network', {n: ans.off_network})));
    if (ans.unreachable) nearMsg.appendChild(el('span', 'net-msg-extra', N('near.unreachable', {n: ans.unreachable})));
    if (items.length && !last.route) nearMsg.appendChild(el('span', 'net-msg-extra', N('near.route_hint')));
    nearMsg.setAttribute('data-count', String(items.length));
    last.nearest.items = items;
    var bounds = layers.near.getBounds();
    if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds, {padding: [40, 40], maxZoom: 15});
  }

  function clearRoute() {
    routeSeq += 1;
    last.route = null;
    layers.route.clearLayers();
    routeInfo.hidden = true;
    routeInfo.textContent = '';
    routeInfo.removeAttribute('data-time-s');
    nearList.querySelectorAll('.net-item.selected').forEach(function (b) { b.classList.remove('selected'); });
  }

  function showRoute(item) {
    var point = last.nearest && last.nearest.latlng;
    if (!point) return;
    var seq = ++routeSeq;
    last.route = {item: item, feature: null};
    nearList.querySelectorAll('.net-item').forEach(function (b) {
      b.classList.toggle('selected', b.getAttribute('data-near') === $('near-resource').value + ':' + item.id);
    });
    routeInfo.hidden = false;
    routeInfo.removeAttribute('data-time-s');
    routeInfo.setAttribute('data-state', 'busy');
    routeInfo.textContent = N('loading');
    request('POST', BASE + '/route', {origin: {lon: item.lon, lat: item.lat}, destination: wrapped(point)})
      .then(function (feature) {
        if (seq !== routeSeq) return;
        last.route.feature = feature;
        drawRoute(item, feature);
      }).catch(function (err) {
        if (seq !== routeSeq) return;
        layers.route.clearLayers();
        routeInfo.removeAttribute('data-time-s');
        fail(routeInfo, err);
      });
  }

  function drawRoute(item, feature) {
    layers.route.clearLayers();
    var latlngs = feature.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
    layers.route.addLayer(L.polyline(latlngs, {pane: 'netLines', interactive: false, color: '#ffffff', weight: 8, opacity: 0.9}));
    layers.route.addLayer(L.polyline(latlngs, {
      pane: 'netLines', interactive: false, color: '#2563eb', weight: 5, opacity: 0.95, className: 'yj-route'
    }));
    var p = feature.properties;
    routeInfo.textContent = '';
    routeInfo.setAttribute('data-state', 'ok');
    routeInfo.setAttribute('data-time-s', String(p.time_s));
    routeInfo.setAttribute('data-length-m', String(p.length_m));
    routeInfo.appendChild(el('div', 'net-route-title', N('route.from', {name: item.name})));
    routeInfo.appendChild(el('div', 'net-route-summary', N('route.summary', {
      time: N('minutes', {m: fmtMin(p.time_s)}), dist: N('km', {km: fmtKm(p.length_m)})
    })));
    routeInfo.appendChild(closuresNote(p));
    var bounds = layers.route.getBounds();
    if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds, {padding: [40, 40], maxZoom: 16});
  }

  $('near-clear').addEventListener('click', function () {
    nearSeq += 1;
    clearRoute();
    last.nearest = null;
    layers.near.clearLayers();
    nearList.textContent = '';
    say(nearMsg, '');
  });

  /* ---- coverage (覆盖分析) ----------------------------------------------------------------------- */
  var covMsg = $('cov-msg');
  var covTable = $('cov-table');
  var covSeq = 0;
  var cellIndex = [];  /* [{bounds, props}] of the drawn cells, for the click popup */

  function cellColour(pop) {
    var i = 0;
    while (i + 1 < NET.cellClasses.length && pop >= NET.cellClasses[i + 1]) i += 1;
    return NET.cellColours[i];
  }

  function runCoverage() {
    var kind = $('cov-kind').value;
    var seq = ++covSeq;
    say(covMsg, N('loading'), 'busy');
    $('cov-run').disabled = true;
    request('GET', BASE + '/coverage/' + encodeURIComponent(kind)).then(function (ans) {
      if (seq !== covSeq) return;
      last.coverage = ans;
      renderCoverage(ans);
    }).catch(function (err) {
      if (seq !== covSeq) return;
      last.coverage = null;
      clearCoverage(true);
      fail(covMsg, err);
    }).then(function () { $('cov-run').disabled = false; });
  }

  function shareCell(value) {
    var td = el('td', 'net-share');
    if (value === null || value === undefined) { td.textContent = '—'; return td; }
    var bar = el('span', 'net-bar');
    bar.style.setProperty('--p', Math.max(0, Math.min(100, value * 100)).toFixed(1) + '%');
    td.appendChild(bar);
    td.appendChild(el('span', 'net-share-text', pct(value)));
    td.setAttribute('data-share', String(value));
    return td;
  }

  function renderCoverage(ans) {
    networkOk();
    var kind = ans.kind;
    covTable.textContent = '';
    covTable.setAttribute('data-kind', kind);
    var head = ['cov.division'];
    if (kind === 'shelter') head.push('cov.served_share', 'cov.served');
    else if (kind === 'fire') head.push('cov.share', 'cov.built_up_share', 'cov.uncovered');
    else head.push('cov.share', 'cov.uncovered');
    var thead = el('thead');
    var hr = el('tr');
    head.forEach(function (k) { hr.appendChild(el('th', '', N(k))); });
    thead.appendChild(hr);
    covTable.appendChild(thead);
    var tbody = el('tbody');
    function row(label, r, isTotal) {
      var tr = el('tr', isTotal ? 'net-total' : '');
      if (!isTotal) tr.setAttribute('data-division', r.division_code);
      tr.appendChild(el('th', '', label));
      tr.lastChild.setAttribute('scope', 'row');
      if (kind === 'shelter') {
        tr.appendChild(shareCell(r.share));
        tr.appendChild(el('td', 'num', fmtInt(r.persons_served)));
      } else {
        tr.appendChild(shareCell(r.share));
        if (kind === 'fire') tr.appendChild(shareCell(r.built_up_share));
        tr.appendChild(el('td', 'num', fmtInt(r.total_population - r.covered_population)));
      }
      return tr;
    }
    (ans.by_division || []).forEach(function (r) { tbody.appendChild(row(divisionName(r.division_code, r.division), r, false)); });
    covTable.appendChild(tbody);
    var tfoot = el('tfoot');
    tfoot.appendChild(row(N('cov.total'), ans, true));
    covTable.appendChild(tfoot);
    covTable.hidden = false;
    drawCells();
    sayWithClosures(covMsg, N('cov.sources', {n: ans.sources}), ans);
    var cellsNote = ans.uncovered_cells
      ? N('cov.cells', {n: fmtInt(cellIndex.length), size: fmtInt(ans.cell_size_m)})
      : N('cov.no_cells');
    var extra = el('span', 'net-msg-extra', cellsNote);
    extra.id = 'cov-cells';
    extra.setAttribute('data-cells', String(cellIndex.length));
    covMsg.appendChild(extra);
  }

  function drawCells() {
    layers.cov.clearLayers();
    cellIndex = [];
    var ans = last.coverage;
    if (!ans || !ans.uncovered_cells) { setLegend('cov', '', null, $('cov-legend')); return; }
    var builtUpOnly = $('cov-built-up').checked;
    var half = (ans.cell_size_m || 1000) / 2;
    ans.uncovered_cells.features.forEach(function (f) {
      var props = f.properties || {};
      if (builtUpOnly && !props.built_up) return;
      var c = f.geometry.coordinates;
      var dLat = half / 111320;
      var dLon = half / (111320 * Math.cos(c[1] * Math.PI / 180));
      var bounds = L.latLngBounds([c[1] - dLat, c[0] - dLon], [c[1] + dLat, c[0] + dLon]);
      var colour = cellColour(props.population || 0);
      layers.cov.addLayer(L.rectangle(bounds, {
        renderer: cellRenderer, interactive: false, weight: 0.6, color: '#7f2704', opacity: 0.6,
        fillColor: colour, fillOpacity: 0.7
      }));
      cellIndex.push({bounds: bounds, props: props});
    });
    var classes = NET.cellClasses;
    var rows = classes.map(function (lo, i) {
      var hi = classes[i + 1];
      return {colour: NET.cellColours[i], square: true,
        label: hi === undefined ? '≥ ' + fmtInt(lo) : fmtInt(lo) + '–' + fmtInt(hi)};
    });
    if (builtUpOnly) rows = rows.filter(function (r, i) { return classes[i + 1] === undefined || classes[i + 1] > 1000; });
    setLegend('cov', N('cov.legend_title'), cellIndex.length ? rows : null, $('cov-legend'));
    var note = $('cov-cells');
    if (note) {
      note.textContent = N('cov.cells', {n: fmtInt(cellIndex.length), size: fmtInt(ans.cell_size_m)});
      note.setAttribute('data-cells', String(cellIndex.length));
    }
  }

  function clearCoverage(keepMessage) {
    covSeq += 1;
    layers.cov.clearLayers();
    cellIndex = [];
    covTable.hidden = true;
    covTable.textContent = '';
    setLegend('cov', '', null, $('cov-legend'));
    if (!keepMessage) { last.coverage = null; say(covMsg, ''); }
  }

  function showCell(latlng) {
    for (var i = 0; i < cellIndex.length; i += 1) {
      if (cellIndex[i].bounds.contains(latlng)) {
        var p = cellIndex[i].props;
        var text = N('cov.cell_tip', {pop: fmtInt(p.population || 0), division: divisionName(p.division_code)}) +
          (p.built_up ? ' · ' + N('cov.built_up') : '');
        L.popup({className: 'yj-cell-popup'}).setLatLng(cellIndex[i].bounds.getCenter()).setContent(esc(text)).openOn(map);
        return;
      }
    }
  }

  $('cov-run').addEventListener('click', runCoverage);
  $('cov-clear').addEventListener('click', function () { clearCoverage(false); });
  $('cov-built-up').addEventListener('change', drawCells);

  /* ---- siting (消防站选址) ----------------------------------------------------------------------- */
  var siteMsg = $('site-msg');
  var siteList = $('site-list');
  var siteSeq = 0;

  function runSiting() {
    var k = Math.max(1, Math.min(20, parseInt($('site-k').value, 10) || 3));
    var seq = ++siteSeq;
    say(siteMsg, N('loading'), 'busy');
    $('site-run').disabled = true;
    request('GET', BASE + '/siting?' + query({k: k, method: $('site-method').value})).then(function (ans) {
      if (seq !== siteSeq) return;
      last.siting = ans;
      renderSiting(ans);
    }).catch(function (err) {
      if (seq !== siteSeq) return;
      layers.site.clearLayers();
      siteList.textContent = '';
      fail(siteMsg, err);
    }).then(function () { $('site-run').disabled = false; });
  }

  function renderSiting(ans) {
    networkOk();
    layers.site.clearLayers();
    siteList.textContent = '';
    var sites = ans.sites || [];
    sites.forEach(function (s) {
      var li = el('li', 'net-site');
      li.setAttribute('data-site', String(s.rank));
      li.appendChild(el('span', 'net-rank net-rank-site', String(s.rank)));
      var body = el('span', 'net-item-body');
      body.appendChild(el('span', 'net-item-name', N('site.site', {rank: s.rank}) + ' · ' + divisionName(s.division_code)));
      body.appendChild(el('span', 'net-item-sub', N('site.gained', {pop: fmtInt(s.population_gained)}) +
        ' · ' + s.lon.toFixed(4) + ', ' + s.lat.toFixed(4)));
      li.appendChild(body);
      li.addEventListener('click', function () { map.setView([s.lat, s.lon], Math.max(map.getZoom(), 13)); });
      siteList.appendChild(li);
      var marker = L.marker([s.lat, s.lon], {
        icon: L.divIcon({className: 'yj-site-marker', html: '<span>' + s.rank + '</span>', iconSize: [28, 28], iconAnchor: [14, 14]}),
        title: N('site.site', {rank: s.rank})
      });
      marker.bindPopup('<div class="yj-popup"><div class="yj-popup-title">' + esc(N('site.site', {rank: s.rank})) +
        '</div><div class="yj-popup-sub">' + esc(divisionName(s.division_code)) + '</div>' +
        esc(N('site.gained', {pop: fmtInt(s.population_gained)})) + '</div>');
      layers.site.addLayer(marker);
    });
    var text = sites.length
      ? N('site.done', {n: sites.length, pop: fmtInt(ans.population_gained)}) + (ans.optimal === false ? N('site.not_optimal') : '')
      : N('site.none');
    sayWithClosures(siteMsg, text, ans);
    var bounds = layers.site.getBounds();
    if (bounds.isValid() && !map.getBounds().contains(bounds)) map.fitBounds(bounds, {padding: [40, 40], maxZoom: 13});
  }

  $('site-run').addEventListener('click', runSiting);
  $('site-clear').addEventListener('click', function () {
    siteSeq += 1;
    last.siting = null;
    layers.site.clearLayers();
    siteList.textContent = '';
    say(siteMsg, '');
  });

  /* ---- road closures (道路阻断): the red layer, its list, clear and delete ------------------------ */
  var closureMsg = $('closure-msg');
  var closureList = $('closure-list');
  var closureById = {};

  function closureActions(props) {
    var html = '';
    if (NET.closures.update) {
      html += '<button type="button" class="btn btn-small" data-closure-action="clear" data-closure-id="' +
        esc(props.id) + '">' + esc(N('cl.clear')) + '</button>';
    }
    if (NET.closures['delete']) {
      html += '<button type="button" class="btn btn-small btn-danger" data-closure-action="delete" data-closure-id="' +
        esc(props.id) + '">' + esc(N('cl.delete')) + '</button>';
    }
    return html ? '<div class="net-actions">' + html + '</div>' : '';
  }

  function closurePopup(props) {
    return '<div class="yj-popup yj-closure-popup" data-closure-id="' + esc(props.id) + '">' +
      '<div class="yj-popup-title">' + esc(props.reason) + '</div>' +
      '<div class="yj-popup-sub">' + esc(N('cl.layer')) + ' · ' + esc(divisionName(props.division_code)) + '</div>' +
      '<table><tr><td>' + esc(N('cl.since', {time: fmtTime(props.opened_at)})) + '</td></tr>' +
      (props.created_by ? '<tr><td>' + esc(N('cl.by', {user: props.created_by})) + '</td></tr>' : '') +
      '</table>' + closureActions(props) + '</div>';
  }

  function loadClosures() {
    if (!NET.closures.read || !closureList) return Promise.resolve();
    return request('GET', BASE + '/closures?format=geojson&active=true').then(function (fc) {
      last.closures = fc;
      layers.closures.clearLayers();
      closureList.textContent = '';
      closureById = {};
      var feats = fc.features || [];
      feats.forEach(function (f) {
        var props = f.properties || {};
        closureById[props.id] = props;
        if (f.geometry) {
          var shape = L.geoJSON(f, {
            className: 'yj-closure', bubblingMouseEvents: false,
            style: {color: '#dc2626', weight: 3, opacity: 0.95, fillColor: '#ef4444', fillOpacity: 0.3}
          });
          shape.bindPopup(closurePopup(props), {maxWidth: 320});
          shape.bindTooltip(esc(props.reason), {direction: 'top', sticky: true});
          layers.closures.addLayer(shape);
          props._layer = shape;
        }
        var li = el('li', 'net-closure');
        li.setAttribute('data-closure-id', String(props.id));
        var name = el('button', 'net-link', props.reason);
        name.type = 'button';
        name.addEventListener('click', function () {
          if (props._layer) {
            map.fitBounds(props._layer.getBounds(), {padding: [60, 60], maxZoom: 16});
            props._layer.openPopup();
          }
        });
        li.appendChild(name);
        li.appendChild(el('span', 'net-item-sub', divisionName(props.division_code) + ' · ' +
          N('cl.since', {time: fmtTime(props.opened_at)})));
        var actions = closureActions(props);
        if (actions) {
          var holder = el('div');
          holder.innerHTML = actions;
          li.appendChild(holder.firstChild);
        }
        closureList.appendChild(li);
      });
      if (!feats.length) closureList.appendChild(el('li', 'net-empty', N('cl.none')));
      $('closure-count').textContent = '(' + feats.length + ')';
      $('closure-count').setAttribute('data-count', String(feats.length));
    }).catch(function (err) { fail(closureMsg, err); });
  }

  function closuresChanged() {
    return loadClosures().then(function () {
      if (last.iso) runIso(last.iso.latlng);
      if (last.nearest) runNearest(last.nearest.latlng, true);
      if (last.coverage) { covMsg.appendChild(el('span', 'net-msg-extra net-stale', N('cov.stale'))); }
      if (last.siting) { siteMsg.appendChild(el('span', 'net-msg-extra net-stale', N('cov.stale'))); }
    });
  }

  function clearClosure(id) {
    var props = closureById[id] || {};
    var now = new Date();
    var opened = props.opened_at ? new Date(props.opened_at) : now;
    var at = opened > now ? opened : now;  /* never before it was opened, whatever the clocks say */
    map.closePopup();
    request('PATCH', BASE + '/closures/' + id, {cleared_at: at.toISOString()}).then(function () {
      say(closureMsg, N('cl.cleared', {reason: props.reason || id}), 'ok');
      return closuresChanged();
    }).catch(function (err) { fail(closureMsg, err); });
  }

  function deleteClosure(id) {
    var props = closureById[id] || {};
    if (!window.confirm(N('cl.confirm_delete', {reason: props.reason || id}))) return;
    map.closePopup();
    request('DELETE', BASE + '/closures/' + id).then(function () {
      say(closureMsg, N('cl.deleted', {reason: props.reason || id}), 'ok');
      return closuresChanged();
    }).catch(function (err) { fail(closureMsg, err); });
  }

  document.addEventListener('click', function (ev) {
    var target = ev.target && ev.target.closest ? ev.target.closest('[data-closure-action]') : null;
    if (!target) return;
    ev.preventDefault();
    var id = parseInt(target.getAttribute('data-closure-id'), 10);
    if (target.getAttribute('data-closure-action') === 'clear') clearClosure(id);
    else deleteClosure(id);
  });

  if ($('closure-show')) {
    $('closure-show').addEventListener('change', function () {
      if (this.checked) layers.closures.addTo(map); else map.removeLayer(layers.closures);
    });
  }

  /* ---- drawing a closure: a rectangle (two corners) or a polygon (click the corners) ------------- */
  var drawHint = $('draw-hint');
  var closureForm = $('closure-form');
  var draft = null;  /* {ring: [[lon, lat], …]} waiting for its reason and division */
  var DRAFT_STYLE = {pane: 'netLines', interactive: false, color: '#b91c1c', weight: 2, dashArray: '6 4',
    fillColor: '#ef4444', fillOpacity: 0.18, className: 'yj-draft'};

  function setDrawButtons() {
    if (!drawHint) return;
    $('draw-finish').hidden = !drawing || drawing.mode !== 'poly';
    $('draw-finish').disabled = !drawing || drawing.points.length < 3;
    $('draw-cancel').hidden = !drawing;
    ['draw-rect', 'draw-poly'].forEach(function (id) {
      var b = $(id);
      b.setAttribute('aria-pressed', drawing && drawing.mode === b.getAttribute('data-draw') ? 'true' : 'false');
    });
  }

  function startDrawing(mode) {
    if (drawing) cancelDrawing();
    discardDraft();
    drawing = {mode: mode, points: [], vertices: L.layerGroup().addTo(layers.draft), preview: null};
    map.doubleClickZoom.disable();
    drawHint.textContent = N(mode === 'rect' ? 'cl.hint_rect' : 'cl.hint_poly');
    say(closureMsg, '');
    setDrawButtons();
    updateCursor();
  }

  function endDrawing() {
    if (!drawing) return;
    if (drawing.preview) layers.draft.removeLayer(drawing.preview);
    layers.draft.removeLayer(drawing.vertices);
    drawing = null;
    map.doubleClickZoom.enable();
    setDrawButtons();
    updateCursor();
  }

  function cancelDrawing() {
    endDrawing();
    if (drawHint) drawHint.textContent = N('cl.hint_idle');
  }

  function addVertex(latlng, first) {
    var v = L.circleMarker(latlng, {pane: 'netLines', radius: first ? 6 : 4, weight: 2, color: '#b91c1c',
      fillColor: '#ffffff', fillOpacity: 1, interactive: false, className: 'yj-draw-vertex'});
    drawing.vertices.addLayer(v);
  }

  function rectLatLngs(a, b) {
    return [L.latLng(a.lat, a.lng), L.latLng(a.lat, b.lng), L.latLng(b.lat, b.lng), L.latLng(b.lat, a.lng)];
  }

  function updatePreview(cursor) {
    if (!drawing || !drawing.points.length) return;
    if (drawing.preview) layers.draft.removeLayer(drawing.preview);
    var pts = drawing.points;
    if (drawing.mode === 'rect') {
      if (!cursor) return;
      drawing.preview = L.polygon(rectLatLngs(pts[0], cursor), DRAFT_STYLE);
    } else {
      var line = cursor ? pts.concat([cursor]) : pts.slice();
      drawing.preview = line.length >= 3 ? L.polygon(line, DRAFT_STYLE) : L.polyline(line, DRAFT_STYLE);
    }
    layers.draft.addLayer(drawing.preview);
  }

  function near(a, b, px) { return map.latLngToContainerPoint(a).distanceTo(map.latLngToContainerPoint(b)) < px; }

  function drawClick(latlng) {
    var pts = drawing.points;
    if (drawing.mode === 'rect') {
      if (!pts.length) { pts.push(latlng); addVertex(latlng, true); return; }
      if (near(pts[0], latlng, 4)) return;
      finishDrawing(rectLatLngs(pts[0], latlng));
      return;
    }
    if (pts.length >= 3 && near(pts[0], latlng, 10)) { finishDrawing(pts.slice()); return; }
    if (pts.length && near(pts[pts.length - 1], latlng, 4)) return;  /* the second click of a double click */
    pts.push(latlng);
    addVertex(latlng, pts.length === 1);
    updatePreview(null);
    setDrawButtons();
  }

  function finishDrawing(latlngs) {
    if (latlngs.length < 3) { say(closureMsg, N('cl.too_few'), 'error'); return; }
    endDrawing();
    var ring = latlngs.map(function (ll) { var w = ll.wrap(); return [+w.lng.toFixed(6), +w.lat.toFixed(6)]; });
    ring.push(ring[0].slice());
    draft = {ring: ring, layer: L.polygon(latlngs, DRAFT_STYLE)};
    layers.draft.addLayer(draft.layer);
    drawHint.textContent = N('cl.hint_form');
    closureForm.hidden = false;
    guessDivision(ring).then(function (code) {
      var select = $('closure-division');
      if (code && !select.value) select.value = code;
    });
    $('closure-reason').focus();
  }

  function discardDraft() {
    draft = null;
    layers.draft.clearLayers();
    if (closureForm) closureForm.hidden = true;
    if (drawHint && !drawing) drawHint.textContent = N('cl.hint_idle');
  }

  /* The division of a drawn area: the county (else township, else city) whose boundary holds its centre. */
  var boundaries = null;
  function loadBoundaries() {
    if (!boundaries) {
      boundaries = request('GET', '/api/v1/divisions?format=geojson&geometry=boundary')
        .then(function (fc) { return fc.features || []; })
        .catch(function () { return []; });
    }
    return boundaries;
  }

  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(x, y, rings) {
    if (!rings.length || !inRing(x, y, rings[0])) return false;
    for (var i = 1; i < rings.length; i += 1) if (inRing(x, y, rings[i])) return false;
    return true;
  }

  function contains(geometry, x, y) {
    if (!geometry) return false;
    if (geometry.type === 'Polygon') return inPolygon(x, y, geometry.coordinates);
    if (geometry.type === 'MultiPolygon') return geometry.coordinates.some(function (p) { return inPolygon(x, y, p); });
    return false;
  }

  function guessDivision(ring) {
    var n = ring.length - 1;
    var x = 0, y = 0;
    for (var i = 0; i < n; i += 1) { x += ring[i][0]; y += ring[i][1]; }
    x /= n; y /= n;
    var options = {};
    $('closure-division').querySelectorAll('option').forEach(function (o) { if (o.value) options[o.value] = true; });
    return loadBoundaries().then(function (features) {
      var rank = {county: 0, township: 1, city: 2, province: 3};
      var hits = features.filter(function (f) {
        var code = String(f.id || (f.properties || {}).code);
        return options[code] && contains(f.geometry, x, y);
      }).sort(function (a, b) {
        var la = rank[(a.properties || {}).level], lb = rank[(b.properties || {}).level];
        return (la === undefined ? 9 : la) - (lb === undefined ? 9 : lb);
      });
      return hits.length ? String(hits[0].id || hits[0].properties.code) : null;
    });
  }

  function saveClosure(ev) {
    ev.preventDefault();
    if (!draft) return;
    var reason = $('closure-reason').value.trim();
    var division = $('closure-division').value;
    if (!reason) { say(closureMsg, N('cl.need_reason'), 'error'); $('closure-reason').focus(); return; }
    if (!division) { say(closureMsg, N('cl.need_division'), 'error'); $('closure-division').focus(); return; }
    $('closure-save').disabled = true;
    say(closureMsg, N('loading'), 'busy');
    request('POST', BASE + '/closures', {
      reason: reason, division_code: division, area: {type: 'Polygon', coordinates: [draft.ring]}
    }).then(function (c) {
      discardDraft();
      $('closure-reason').value = '';
      say(closureMsg, N('cl.saved', {reason: c.reason, n: (c.edges || []).length}), 'ok');
      return closuresChanged();
    }).catch(function (err) { fail(closureMsg, err); })
      .then(function () { $('closure-save').disabled = false; });
  }

  if (drawHint) {
    $('draw-rect').addEventListener('click', function () { startDrawing('rect'); });
    $('draw-poly').addEventListener('click', function () { startDrawing('poly'); });
    $('draw-finish').addEventListener('click', function () { if (drawing) finishDrawing(drawing.points.slice()); });
    $('draw-cancel').addEventListener('click', cancelDrawing);
    $('closure-discard').addEventListener('click', function () { discardDraft(); say(closureMsg, ''); });
    closureForm.addEventListener('submit', saveClosure);
    setDrawButtons();
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && drawing) cancelDrawing();
  });

  /* While drawing, every click on the map is a corner, also over a marker (whose popup would
     otherwise take the click): catch it before Leaflet's layers see it. Controls, popups and the
     click that ends a drag of the map are left alone. */
  map.getContainer().addEventListener('click', function (ev) {
    if (!drawing) return;
    if (ev.target && ev.target.closest && ev.target.closest('.leaflet-control-container, .leaflet-popup')) return;
    if (map.dragging && map.dragging.moved()) return;
    ev.stopPropagation();
    ev.preventDefault();
    drawClick(map.mouseEventToLatLng(ev));
  }, true);

  /* ---- the map's clicks go to the chosen tool -------------------------------------------------- */
  map.on('click', function (e) {
    if (drawing) return;
    if (tool === 'iso') runIso(e.latlng);
    else if (tool === 'nearest') runNearest(e.latlng, false);
    else if (tool === 'coverage') showCell(e.latlng);
  });
  map.on('mousemove', function (e) { if (drawing && drawing.points.length) updatePreview(e.latlng); });
  map.on('dblclick', function () {
    if (drawing && drawing.mode === 'poly' && drawing.points.length >= 3) finishDrawing(drawing.points.slice());
  });

  selectTool('iso');
  loadClosures();

  window.yingjiNetwork = {map: map, layers: layers, last: last, selectTool: selectTool};
})();
