/* The one map (一张图): layers per registry and kind, popups, search. Leaflet 1.9, no CDN. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('map-config').textContent);
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var T = cfg.i18n;

  function api(url) {
    return fetch(url, {
      credentials: 'same-origin',
      headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf}
    }).then(function (r) {
      if (r.status === 401) { window.location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search); }
      if (!r.ok) throw new Error(r.status + ' ' + url);
      return r.json();
    });
  }

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  var mapEl = document.getElementById('map');
  var map = L.map(mapEl, {zoomControl: true, attributionControl: !!cfg.tileUrl});
  map.setView(cfg.centre, cfg.zoom);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, {maxZoom: 19, attribution: esc(cfg.tileAttribution || '')}).addTo(map);
  } else {
    mapEl.classList.add('offline');
  }
  L.control.scale({imperial: false}).addTo(map);
  map.createPane('boundaries');
  map.getPane('boundaries').style.zIndex = 350;

  var divisionNames = {};

  function registry(name) { return cfg.registries[name] || {fields: {}, enums: {}, popup: [], label: name}; }

  function capacityText(cap) {
    var parts = [];
    Object.keys(cap).forEach(function (k) {
      var v = cap[k];
      if (typeof v === 'boolean') v = v ? T.yes : T.no;
      else if (cfg.capacity.enums[k] && cfg.capacity.enums[k][v]) v = cfg.capacity.enums[k][v];
      parts.push((cfg.capacity.labels[k] || k) + ' ' + v);
    });
    return parts.join(T.sep);
  }

  function valueText(reg, field, value) {
    if (value === null || value === undefined || value === '') return '—';
    var enums = registry(reg).enums[field];
    if (Array.isArray(value)) {
      if (!value.length) return '—';
      return value.map(function (v) {
        if (v && typeof v === 'object') return (v.name || '') + (v.quantity ? ' × ' + v.quantity : '');
        return enums && enums[v] ? enums[v] : String(v);
      }).join(T.sep);
    }
    if ((field === 'division_code' || field === 'parent_code') && divisionNames[value]) {
      return divisionNames[value] + ' (' + value + ')';
    }
    if (field === 'capacity' && typeof value === 'object') return capacityText(value) || '—';
    if (typeof value === 'boolean') return value ? T.yes : T.no;
    if (enums && enums[value]) return enums[value];
    return String(value);
  }

  function keyOf(reg, props, fallback) {
    var pk = registry(reg).pk || 'id';
    return props[pk] !== undefined && props[pk] !== null ? props[pk] : fallback;
  }

  function popupHtml(reg, props, key) {
    var r = registry(reg);
    var kind = r.kindField && props[r.kindField] ? valueText(reg, r.kindField, props[r.kindField]) : '';
    var html = '<div class="yj-popup" data-registry="' + esc(reg) + '" data-key="' + esc(key) + '">' +
      '<div class="yj-popup-title">' + esc(props.name || key) + '</div>' +
      '<div class="yj-popup-sub">' + esc(r.label) + (kind ? ' · ' + esc(kind) : '') + '</div><table>';
    r.popup.forEach(function (field) {
      if (!(field in props) || field === r.kindField) return;
      html += '<tr><th>' + esc(r.fields[field] || field) + '</th><td>' + esc(valueText(reg, field, props[field])) + '</td></tr>';
    });
    html += '</table><a class="yj-popup-link" href="/registry/' + encodeURIComponent(reg) + '/' +
      encodeURIComponent(key) + '">' + esc(T.details) + ' →</a></div>';
    return html;
  }

  function colourFor(def, props) {
    if (def.kind) return def.colour;
    var r = registry(def.registry);
    if (r.statusField && r.statusColours && r.statusColours[props[r.statusField]]) return r.statusColours[props[r.statusField]];
    return def.colour;
  }

  /* ---- layers ---------------------------------------------------------------------------- */
  var states = {};
  cfg.layers.forEach(function (def) {
    states[def.id] = {def: def, group: L.featureGroup(), loading: null, count: 0};
  });

  function countEl(id) { return document.querySelector('[data-count-for="' + id + '"]'); }

  function addPoint(state, feature) {
    var def = state.def;
    var props = feature.properties || {};
    var c = feature.geometry.coordinates;
    var key = keyOf(def.registry, props, feature.id);
    var marker = L.circleMarker([c[1], c[0]], {
      radius: def.registry === 'divisions' ? 4 : 7, weight: 1.5, color: '#ffffff', opacity: 1,
      fillColor: colourFor(def, props), fillOpacity: 0.92,
      className: 'yj-marker ' + def.markerClass
    });
    marker.bindPopup(popupHtml(def.registry, props, key), {maxWidth: 360});
    if (def.registry === 'divisions' && (props.level === 'city' || props.level === 'county')) {
      marker.bindTooltip(esc(props.name), {permanent: true, direction: 'right', className: 'yj-division-label'});
    } else {
      marker.bindTooltip(esc(props.name || key), {direction: 'top'});
    }
    state.group.addLayer(marker);
  }

  function loadLayer(state) {
    if (state.loading) return state.loading;
    var el = countEl(state.def.id);
    if (el) { el.textContent = '…'; el.removeAttribute('data-loaded'); }
    state.loading = api(state.def.url).then(function (fc) {
      var n = 0;
      (fc.features || []).forEach(function (f) {
        var g = f.geometry;
        if (!g) return;
        if (state.def.registry === 'divisions') divisionNames[f.id] = (f.properties || {}).name;
        if (g.type === 'Point') { addPoint(state, f); n += 1; return; }
        if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
          var shape = L.geoJSON(f, {pane: 'boundaries', style: {
            color: '#475569', weight: 1.5, fillColor: '#94a3b8', fillOpacity: 0.06, className: 'yj-boundary'
          }});
          var props = f.properties || {};
          if (props.level === 'city') {
            shape.bindTooltip(esc(props.name || f.id), {sticky: true});
          } else {
            shape.bindTooltip(esc(props.name || f.id), {permanent: true, direction: 'center', className: 'yj-division-label'});
          }
          state.group.addLayer(shape);
          n += 1;
        }
      });
      state.count = n;
      if (el) { el.textContent = String(n); el.setAttribute('data-loaded', 'true'); }
      return state;
    }).catch(function (err) {
      state.loading = null;
      if (el) { el.textContent = '!'; el.title = T.error + ': ' + err.message; el.setAttribute('data-loaded', 'error'); }
      throw err;
    });
    return state.loading;
  }

  function setLayer(id, on) {
    var state = states[id];
    if (!state) return;
    if (on) {
      state.group.addTo(map);
      loadLayer(state).catch(function () { /* shown beside the checkbox */ });
    } else {
      map.removeLayer(state.group);
    }
  }

  document.querySelectorAll('input[data-layer]').forEach(function (box) {
    box.addEventListener('change', function () { setLayer(box.getAttribute('data-layer'), box.checked); });
  });

  var divisions = states.divisions;
  var focused = false;  /* once a record is focused, loading the divisions no longer moves the map */
  var ready = Promise.resolve();
  if (divisions) {
    ready = loadLayer(divisions).then(function (state) {
      var bounds = state.group.getBounds();
      if (bounds.isValid() && !focused && !focusParam()) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 11, animate: false});
    }).catch(function () {});
  }
  document.querySelectorAll('input[data-layer]').forEach(function (box) {
    if (box.checked) setLayer(box.getAttribute('data-layer'), true);
  });

  /* ---- focus and search -------------------------------------------------------------------- */
  var highlight = null;

  function focusRecord(reg, props) {
    focused = true;
    if (highlight) { map.removeLayer(highlight); highlight = null; }
    var key = keyOf(reg, props, '');
    if (props.lon === null || props.lon === undefined || props.lat === null || props.lat === undefined) {
      L.popup().setLatLng(map.getCenter()).setContent(popupHtml(reg, props, key) +
        '<p class="yj-popup-note">' + esc(T.no_location) + '</p>').openOn(map);
      return;
    }
    var latlng = [props.lat, props.lon];
    map.setView(latlng, Math.max(map.getZoom(), 14));
    highlight = L.circleMarker(latlng, {
      radius: 13, weight: 3, color: '#dc2626', fillColor: '#fde047', fillOpacity: 0.55,
      className: 'yj-highlight'
    }).addTo(map);
    highlight.bindPopup(popupHtml(reg, props, key), {maxWidth: 360}).openPopup();
  }

  function focusParam() {
    var m = /[?&]focus=([a-z_]+)(?::|%3A)([^&]+)/i.exec(location.search);
    return m ? {reg: m[1], key: decodeURIComponent(m[2])} : null;
  }

  var focus = focusParam();
  if (focus && cfg.registries[focus.reg]) {
    ready.then(function () {
      return api('/api/v1/' + encodeURIComponent(focus.reg) + '/' + encodeURIComponent(focus.key));
    }).then(function (item) { focusRecord(focus.reg, item); }).catch(function () {});
  }

  var results = document.getElementById('search-results');
  var form = document.getElementById('map-search');
  var input = document.getElementById('map-q');

  function showResults(found) {
    results.hidden = false;
    results.innerHTML = '';
    var head = document.createElement('div');
    head.className = 'search-head';
    head.textContent = found.length ? T.results + ' (' + found.length + ')' : T.no_results;
    results.appendChild(head);
    var list = document.createElement('ol');
    found.forEach(function (hit) {
      var r = registry(hit.reg);
      var key = keyOf(hit.reg, hit.item, '');
      var li = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'search-hit';
      button.setAttribute('data-result', hit.reg + ':' + key);
      var name = document.createElement('span');
      name.className = 'hit-name';
      name.textContent = hit.item.name || key;
      var sub = document.createElement('span');
      sub.className = 'hit-sub';
      var kind = r.kindField ? valueText(hit.reg, r.kindField, hit.item[r.kindField]) : '';
      sub.textContent = r.label + (kind && kind !== '—' ? ' · ' + kind : '');
      button.appendChild(name);
      button.appendChild(sub);
      button.addEventListener('click', function () { focusRecord(hit.reg, hit.item); });
      li.appendChild(button);
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var q = input.value.trim();
    if (!q) { results.hidden = true; return; }
    results.hidden = false;
    results.textContent = T.loading;
    Promise.all(cfg.search.map(function (reg) {
      return api('/api/v1/' + reg + '?size=10&q=' + encodeURIComponent(q)).then(function (page) {
        return (page.items || []).map(function (item) { return {reg: reg, item: item}; });
      }).catch(function () { return []; });
    }).concat([ready])).then(function (lists) {
      var found = [].concat.apply([], lists.slice(0, -1));
      showResults(found);
      var first = found.filter(function (h) { return h.item.lon !== null && h.item.lon !== undefined; })[0];
      if (first) focusRecord(first.reg, first.item);
    });
  });

  window.yingjiMap = map;
})();
