/* window.yjBoundaries(map, options): draw the division boundaries (GET /api/v1/divisions?format=
   geojson&geometry=boundary, fetched once per page) on a Leaflet map — the offline background of
   every map when no tile server is configured. Options: ``names`` (code → label in the page's
   language; default the feature's name), ``labels`` (permanent county labels; default true),
   ``pane`` (a pane name, created under the markers). Pages whose user may not read the divisions
   simply get no boundaries. Loaded by base.html on every page. */
(function () {
  'use strict';
  var features = null;

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function load() {
    if (!features) {
      features = fetch('/api/v1/divisions?format=geojson&geometry=boundary', {
        headers: {'Accept': 'application/geo+json, application/json'}, credentials: 'same-origin'
      }).then(function (r) { return r.ok ? r.json() : {features: []}; })
        .then(function (fc) { return fc.features || []; })
        .catch(function () { return []; });
    }
    return features;
  }

  window.yjBoundaries = function (map, options) {
    var opts = options || {};
    var names = opts.names || {};
    var pane = opts.pane || 'yjBoundaries';
    if (!map.getPane(pane)) {
      map.createPane(pane);
      map.getPane(pane).style.zIndex = 350;
      map.getPane(pane).style.pointerEvents = 'none';
    }
    return load().then(function (list) {
      list.forEach(function (f) {
        var g = f.geometry;
        if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) return;
        var props = f.properties || {};
        var shape = L.geoJSON(f, {pane: pane, interactive: false, style: {
          color: '#475569', weight: 1.2, fillColor: '#94a3b8', fillOpacity: props.level === 'city' ? 0.02 : 0.05,
          className: 'yj-boundary', interactive: false
        }});
        if (props.level !== 'city' && opts.labels !== false) {
          shape.bindTooltip(esc(names[String(f.id)] || props.name || f.id),  // Leaflet sets tooltips as HTML
            {permanent: true, direction: 'center', className: 'yj-division-label', interactive: false});
        }
        shape.addTo(map);
      });
      return list.length;
    });
  };
  window.yjBoundaries.load = load;  // the features themselves (e.g. to find the division of a point)
})();
