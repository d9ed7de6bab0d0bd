/* Shared helpers of the supplies pages: the page's config (#sup-config), texts, the JSON API with
   the session cookie and X-CSRF-Token, the Leaflet map and the warehouse gauge markers. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('sup-config').textContent);
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function t(key, params) {
    var s = cfg.i18n[key] || key;
    Object.keys(params || {}).forEach(function (k) { s = s.split('{' + k + '}').join(params[k]); });
    return s;
  }
  function api(method, path, body) {
    var headers = {'Accept': 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    return fetch(cfg.api + path, {method: method, headers: headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var msg = (data && (data.detail || data.message)) || r.statusText;
          if (typeof msg !== 'string') msg = JSON.stringify(msg);
          throw new Error(msg);
        }
        return data;
      });
    });
  }
  function shareColour(share) {
    if (share == null) return '#888';
    if (share >= 1) return '#2ca02c';
    if (share >= 0.6) return '#e6a700';
    return '#d62728';
  }
  function gaugeIcon(w) {
    var pct = w.share == null ? 0 : Math.round(w.share * 100);
    var html = '<div class="sup-ring" style="--share:' + pct + ';--c:' + shareColour(w.share) + '">' +
      '<span>' + (w.share == null ? '–' : pct) + '</span></div>';
    return L.divIcon({className: 'sup-wh-icon', html: html, iconSize: [36, 36], iconAnchor: [18, 18]});
  }
  function makeMap(elem) {
    var map = L.map(elem, {zoomControl: true, attributionControl: !!cfg.tileUrl});
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, {maxZoom: 19, attribution: esc(cfg.tileAttribution || '')}).addTo(map);
    } else {
      elem.classList.add('offline');
    }
    L.control.scale({imperial: false}).addTo(map);
    window.yjBoundaries(map, {labels: !cfg.tileUrl});
    var pts = cfg.warehouses.map(function (w) { return [w.lat, w.lon]; });
    if (pts.length > 1) map.fitBounds(pts, {padding: [40, 40], maxZoom: 13});
    else if (pts.length === 1) map.setView(pts[0], 13);
    else map.setView([cfg.centre[1], cfg.centre[0]], cfg.zoom);
    window.yingjiMap = map;
    return map;
  }
  function warehouseMarkers(map, withGauge) {
    cfg.warehouses.forEach(function (w) {
      var m = L.marker([w.lat, w.lon], {icon: withGauge ? gaugeIcon(w) : gaugeIcon({share: null}),
        title: w.name, keyboard: true});
      var rows = (w.items || []).map(function (i) {
        return '<tr><td>' + esc(i.item) + '</td><td class="num">' + i.held + ' / ' + i.required + ' ' +
          esc(i.unit) + '</td></tr>';
      }).join('');
      var share = w.share == null ? t('no_gauge') : t('gauge', {share: Math.round(w.share * 100) + '%'});
      m.bindPopup('<strong>' + esc(w.name) + '</strong><br>' + esc(share) +
        (rows ? '<table class="sup-pop">' + rows + '</table>' : '') +
        '<br><a href="/supplies/lots?warehouse_id=' + w.id + '">' + esc(t('lots')) + '</a>');
      m.addTo(map);
    });
  }
  window.Supplies = {cfg: cfg, t: t, esc: esc, api: api, makeMap: makeMap, warehouseMarkers: warehouseMarkers};
})();
