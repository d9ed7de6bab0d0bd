/* /supplies/allocate: click the map to add demand points (people each), draw affected areas (the
   server counts the people living in them from the population grid) or add open incidents (their
   place and affected people); compute the plan (POST allocation/plan), draw the exact plan's
   shipments as lines warehouse → point beside the greedy plan's totals, accept (POST
   dispatch-orders; the orders' note names the incidents). With ?request_id=N (cfg.request) the plan is
   the supply request's outstanding lines to its destination, and the orders count towards it. */
(function () {
  'use strict';
  var S = window.Supplies, t = S.t, esc = S.esc;
  var map = S.makeMap(document.getElementById('map'));
  S.warehouseMarkers(map, false);
  var whById = {};
  S.cfg.warehouses.forEach(function (w) { whById[w.id] = w; });
  var points = [];  // {name, lon, lat, people, marker, area?, incident_id?}; people null = derived by the server
  var req = S.cfg.request || null;
  var seq = 0, areaSeq = 0;
  var mode = 'point';
  var corners = [], sketch = null;
  var areaTools = document.getElementById('area-tools');
  var flows = L.layerGroup().addTo(map);
  var plan = null;
  var list = document.getElementById('points');
  var compute = document.getElementById('compute');
  var accept = document.getElementById('accept');
  var status = document.getElementById('status');
  var result = document.getElementById('result');
  compute.textContent = t('compute');
  accept.textContent = t('accept');

  function clearPlan() {
    plan = null; flows.clearLayers(); result.innerHTML = ''; accept.hidden = true;
  }
  function renderPoints() {
    document.getElementById('no-points').textContent = points.length || req ? '' : t('no_points');
    list.innerHTML = '';
    if (req) {
      list.innerHTML = '<li data-testid="request-point" data-request="' + req.id + '"><span>' +
        esc(t('request_point', {n: req.id, name: req.destination})) + '</span><ul class="sup-lines">' +
        req.lines.map(function (l) { return '<li>' + esc(l.item) + ' ' + l.outstanding + ' ' + esc(l.unit) + '</li>'; })
          .join('') + '</ul></li>';
      return;
    }
    points.forEach(function (p, i) {
      var li = document.createElement('li');
      li.setAttribute('data-testid', 'demand-point');
      if (p.area) li.setAttribute('data-kind', 'area');
      if (p.incident_id) li.setAttribute('data-incident', String(p.incident_id));
      var derived = p.area ? t('area_people') : t('incident_people');
      li.innerHTML = '<span>' + esc(p.name) + '</span> <label>' + esc(t('people')) +
        ' <input type="number" min="1" max="10000000" step="1" value="' + (p.people == null ? '' : p.people) + '"' +
        (p.people == null ? ' placeholder="' + esc(derived) + '"' : '') + ' data-testid="point-people"></label>' +
        ' <button type="button" class="sup-link">' + esc(t('remove')) + '</button>';
      li.querySelector('input').addEventListener('change', function (e) {
        var v = parseInt(e.target.value, 10);
        p.people = (p.area || p.incident_id) && !(v > 0) ? null : Math.max(1, v || 1);
        clearPlan();
      });
      li.querySelector('button').addEventListener('click', function () {
        map.removeLayer(p.marker); points.splice(i, 1); clearPlan(); renderPoints();
      });
      list.appendChild(li);
    });
  }
  function addPoint(p, latlng) {
    p.marker = p.area
      ? L.polygon(p.area.coordinates[0].map(function (c) { return [c[1], c[0]]; }),
        {color: '#d62728', weight: 2, fillOpacity: 0.2, className: 'sup-demand-area'}).bindTooltip(esc(p.name))
      : L.circleMarker(latlng, {radius: 8, color: '#d62728', fillOpacity: 0.8, className: 'sup-demand'})
        .bindTooltip(esc(p.name));  // Leaflet sets tooltips as HTML
    p.marker.addTo(map);
    points.push(p); clearPlan(); renderPoints();
  }
  function resetSketch() {
    corners = [];
    if (sketch) { map.removeLayer(sketch); sketch = null; }
  }
  function setMode(m) {
    mode = m; resetSketch(); areaTools.hidden = m !== 'area';
    status.textContent = m === 'area' ? t('area_hint') : '';
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[name="mode"]'), function (r) {
    r.addEventListener('change', function () { if (r.checked) setMode(r.value); });
  });
  map.on('click', function (e) {
    if (req) return;
    if (mode === 'area') {
      corners.push([+e.latlng.lng.toFixed(6), +e.latlng.lat.toFixed(6)]);
      var ll = corners.map(function (c) { return [c[1], c[0]]; });
      if (sketch) map.removeLayer(sketch);
      sketch = (corners.length > 2 ? L.polygon(ll, {dashArray: '4 4', color: '#d62728', fillOpacity: 0.1})
        : L.polyline(ll, {dashArray: '4 4', color: '#d62728'})).addTo(map);
      return;
    }
    seq += 1;
    addPoint({name: t('point', {n: seq}), lon: +e.latlng.lng.toFixed(6), lat: +e.latlng.lat.toFixed(6), people: 100},
      e.latlng);
  });
  document.getElementById('finish-area').addEventListener('click', function () {
    if (corners.length < 3) { status.textContent = t('area_few'); return; }
    areaSeq += 1;
    var ring = corners.concat([corners[0]]);
    addPoint({name: t('area', {n: areaSeq}), people: null, area: {type: 'Polygon', coordinates: [ring]}});
    resetSketch(); status.textContent = t('area_hint');
  });
  document.getElementById('cancel-area').addEventListener('click', function () { resetSketch(); });
  var incidentSelect = document.getElementById('incident');
  function addIncident(id) {
    var inc = (S.cfg.incidents || []).filter(function (x) { return x.id === id; })[0];
    if (!inc) return;
    addPoint({name: '#' + inc.id + ' ' + inc.title, lon: inc.lon, lat: inc.lat, people: inc.people || null,
      incident_id: inc.id}, L.latLng(inc.lat, inc.lon));
  }
  document.getElementById('incident-add').addEventListener('click', function () {
    addIncident(parseInt(incidentSelect.value, 10));
  });
  if (S.cfg.presetIncident && !S.cfg.request) {  // ?incident_id=N, from the incident workspace
    incidentSelect.value = String(S.cfg.presetIncident);
    addIncident(S.cfg.presetIncident);
  }

  function hours(s) { return s == null ? '—' : (s / 3600).toFixed(2); }
  function pct(v) { return v == null ? '—' : Math.round(v * 100) + '%'; }
  function showPlan(out) {
    plan = out; flows.clearLayers();
    var byPair = {};
    out.shipments.forEach(function (s) {
      var key = s.warehouse_id + ':' + s.point;
      (byPair[key] = byPair[key] || {w: s.warehouse_id, s: s, lines: []}).lines.push(s);
    });
    Object.keys(byPair).forEach(function (k) {
      var pair = byPair[k], w = whById[pair.w];
      if (!w) return;
      var label = pair.lines.map(function (s) { return esc(s.item + ' ' + s.quantity + s.unit); }).join('<br>');
      L.polyline([[w.lat, w.lon], [pair.s.lat, pair.s.lon]], {color: '#1f77b4', weight: 4, opacity: 0.8,
        className: 'sup-flow'}).bindTooltip(esc(w.name) + ' → ' + esc(pair.s.destination) + '<br>' + label,
        {sticky: true}).addTo(flows);
    });
    var g = out.greedy || {};
    var unmetExact = out.unmet.reduce(function (a, u) { return a + u.quantity; }, 0);
    var html = '<table class="sup-table sup-compare" data-testid="plan-compare"><thead><tr><th></th><th>' +
      esc(t('exact')) + '</th><th>' + esc(t('greedy')) + '</th></tr></thead><tbody>' +
      '<tr><td>' + esc(t('person_hours')) + '</td><td class="num" data-testid="exact-ph">' + hours(out.objective_person_s) +
      '</td><td class="num" data-testid="greedy-ph">' + hours(g.objective_person_s) + '</td></tr>' +
      '<tr><td>' + esc(t('mean_h')) + '</td><td class="num">' + hours(out.mean_delivery_s) + '</td><td class="num">' +
      hours(g.mean_delivery_s) + '</td></tr>' +
      '<tr><td>' + esc(t('served')) + '</td><td class="num">' + pct(out.served_share) + '</td><td class="num">' +
      pct(g.served_share) + '</td></tr>' +
      '<tr><td>' + esc(t('unmet')) + '</td><td class="num" data-testid="exact-unmet">' + unmetExact +
      '</td><td class="num">' + (g.unmet_units == null ? '—' : g.unmet_units) + '</td></tr>' +
      (g.objective_over_optimal ? '<tr><td>' + esc(t('ratio')) + '</td><td class="num" colspan="2">' +
        g.objective_over_optimal.toFixed(3) + '</td></tr>' : '') + '</tbody></table>';
    if (out.closures && out.closures.length) html += '<p class="sup-hint">' + esc(t('closures', {n: out.closures.length})) + '</p>';
    html += '<h3>' + esc(t('shipments')) + '</h3>';
    if (out.shipments.length) {
      html += '<table class="sup-table" data-testid="shipments"><thead><tr><th>' + esc(t('from')) + '</th><th>' +
        esc(t('to')) + '</th><th>' + esc(t('item')) + '</th><th class="num">' + esc(t('qty')) + '</th><th class="num">' +
        esc(t('eta')) + '</th></tr></thead><tbody>' + out.shipments.map(function (s) {
          return '<tr data-item="' + esc(s.item_code) + '" data-warehouse="' + s.warehouse_id + '" data-quantity="' +
            s.quantity + '"><td>' + esc(s.warehouse) + '</td><td>' + esc(s.destination) + '</td><td>' + esc(s.item) +
            '</td><td class="num">' + s.quantity + ' ' + esc(s.unit) + '</td><td class="num">' + hours(s.eta_s) + '</td></tr>';
        }).join('') + '</tbody></table>';
    } else {
      html += '<p>' + esc(t('no_shipments')) + '</p>';
    }
    if (out.unmet.length) {
      html += '<h3>' + esc(t('unmet_list')) + '</h3><ul>' + out.unmet.map(function (u) {
        return '<li>' + esc(u.destination) + ' · ' + esc(u.item) + ' ' + u.quantity + ' / ' + u.demand + '</li>';
      }).join('') + '</ul>';
    }
    result.innerHTML = html;
    accept.hidden = !out.shipments.length;
  }

  compute.addEventListener('click', function () {
    if (!points.length && !req) { status.textContent = t('no_points'); return; }
    clearPlan(); compute.disabled = true; status.textContent = t('computing');
    var body = req ? {request_id: req.id} : {points: points.map(function (p) {
      var out = {name: p.name};
      if (p.area) out.area = p.area; else { out.lon = p.lon; out.lat = p.lat; }
      if (p.incident_id) out.incident_id = p.incident_id;
      if (p.people != null) out.people = p.people;
      return out;
    })};
    S.api('POST', '/allocation/plan', body).then(function (out) {
      status.textContent = '';
      // the server located the areas and incidents: show their people and delivery points
      (out.points || []).forEach(function (q, i) {
        var p = points[i];
        if (!p || !(p.area || p.incident_id)) return;
        var input = list.querySelectorAll('[data-testid="point-people"]')[i];
        if (input && p.people == null && q.people != null) input.placeholder = String(q.people);
        if (input) input.setAttribute('data-derived', String(q.people));
      });
      showPlan(out);
    }).catch(function (err) {
      status.textContent = t('error', {msg: err.message});
    }).then(function () { compute.disabled = !S.cfg.can.plan; });
  });

  accept.addEventListener('click', function () {
    if (!plan) return;
    accept.disabled = true;
    var shipments = plan.shipments.map(function (s) {
      return {warehouse_id: s.warehouse_id, item_code: s.item_code, quantity: s.quantity, destination: s.destination,
        lon: s.lon, lat: s.lat, division_code: s.division_code, eta_s: s.eta_s, warehouse: s.warehouse,
        item: s.item, unit: s.unit, point: s.point};
    });
    var ids = points.filter(function (p) { return p.incident_id; }).map(function (p) { return '#' + p.incident_id; });
    var body = {shipments: shipments};
    if (ids.length) body.note = t('note_incidents', {ids: ids.join(', ')});
    if (req) { body.request_id = req.id; body.note = t('note_request', {n: req.id}); }
    S.api('POST', '/dispatch-orders', body).then(function (orders) {
      status.textContent = t('accepted', {n: orders.length});
      status.setAttribute('data-accepted', String(orders.length));
      accept.hidden = true; plan = null;
    }).catch(function (err) {
      status.textContent = t('error', {msg: err.message});
    }).then(function () { accept.disabled = false; });
  });
  if (req) {
    // the request is the only demand: no clicks, areas or incidents; show its destination
    Array.prototype.forEach.call(document.querySelectorAll('.sup-mode, .sup-incident'), function (el) { el.hidden = true; });
    L.circleMarker([req.lat, req.lon], {radius: 8, color: '#d62728', fillOpacity: 0.8, className: 'sup-demand'})
      .bindTooltip(esc(t('request_point', {n: req.id, name: req.destination}))).addTo(map);
    status.textContent = t('request_hint');
  }
  renderPoints();
})();
