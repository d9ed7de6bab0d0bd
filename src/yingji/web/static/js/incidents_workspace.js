/* The incident workspace: one incident on the map with what is near it and the routes of the
   resources sent; its level (accept the suggestion or override it with a reason), its lifecycle,
   matching plans to activate, resources ranked by ETA to dispatch and follow, tasks, reporting
   upward with its deadlines, the 专报 downloads, the timeline and notes — kept current from the
   live event stream of this incident. */
(function () {
  'use strict';
  var Y = window.YJInc;
  var cfg = Y.cfg, T = Y.T, el = Y.el, $ = Y.$;
  var ID = cfg.incidentId;
  var BASE = '/api/v1/incidents/' + ID;
  var REGISTRY = {team: 'teams', vehicle: 'vehicles', expert: 'experts'};
  var state = {
    incident: null, ref: null, timeline: [], plans: [], activations: [], tasks: [], dispatches: [],
    schedule: null, reports: [], rec: {type: 'team', answer: null}, others: []
  };

  function final() { return state.incident && cfg.terminal.indexOf(state.incident.status) >= 0; }

  function button(text, className, attrs) {
    var b = el('button', 'btn btn-small' + (className ? ' ' + className : ''), text);
    b.type = 'button';
    Object.keys(attrs || {}).forEach(function (k) { b.setAttribute(k, attrs[k]); });
    return b;
  }

  function fill(list, empty, items, count) {
    if (!list) return;
    list.textContent = '';
    items.forEach(function (li) { list.appendChild(li); });
    if (empty) empty.hidden = items.length > 0;
    if (count) count.textContent = '(' + items.length + ')';
  }

  /* Run an action: disable its button, say what happened, reload what it changed. */
  function act(btn, box, promise, okText, reloads) {
    if (btn) btn.disabled = true;
    Y.say(box, T('working'), 'busy');
    return promise.then(function (answer) {
      Y.say(box, typeof okText === 'function' ? okText(answer) : okText, 'ok');
      (reloads || []).forEach(function (r) { r.now(); });
      return answer;
    }).catch(function (err) {
      Y.say(box, Y.errorText(err), 'error');
      if (err instanceof Y.ApiError && err.status === 409) {  /* the page was stale: load what changed */
        refresh.incident.now();
        refresh.dispatches();
        refresh.recs();
      }
      return null;
    }).then(function (answer) {
      if (btn) btn.disabled = false;
      return answer;
    });
  }

  /* ---- the map ------------------------------------------------------------------------------------ */
  var map = Y.baseMap($('ws-map'), {zoom: 13});
  map.createPane('incRoutes');
  map.getPane('incRoutes').style.zIndex = 420;
  map.createPane('incTop');
  map.getPane('incTop').style.zIndex = 640;
  var layers = {
    nearby: L.featureGroup().addTo(map),
    rec: L.featureGroup().addTo(map),
    routes: L.featureGroup().addTo(map),
    dispatched: L.featureGroup().addTo(map),
    incident: L.featureGroup().addTo(map)
  };
  var routes = {};  /* dispatch id → {key, layer, info} */
  var resources = {};  /* "team:5" → the registry record (its location) */
  var placed = false;

  var placedAt = '';

  function drawIncident() {
    var inc = state.incident;
    if (placed && placedAt !== inc.lon + ',' + inc.lat) placed = false;  /* corrected location: go there */
    placedAt = inc.lon + ',' + inc.lat;
    layers.incident.clearLayers();
    var level = inc.effective_level;
    L.circleMarker([inc.lat, inc.lon], {
      radius: 22, weight: 2, color: Y.levelColour(level), fillOpacity: 0.12, interactive: false,
      className: 'yj-inc-halo', pane: 'incTop'
    }).addTo(layers.incident);
    var m = L.circleMarker([inc.lat, inc.lon], {
      radius: 11, weight: 3, color: '#ffffff', fillColor: Y.levelColour(level), fillOpacity: 1,
      className: 'yj-inc-here lvl-' + (level || 'none'), pane: 'incTop'
    }).addTo(layers.incident);
    m.bindTooltip(Y.esc(inc.title), {direction: 'top', permanent: false});
    legend();
    if (!placed) {
      placed = true;
      map.setView([inc.lat, inc.lon], 14, {animate: false});
      loadNearby();
    }
  }

  function loadNearby() {
    if (!cfg.can.facilities) return;
    var inc = state.incident, d = cfg.nearbyDegrees;
    var bbox = [inc.lon - d, inc.lat - d, inc.lon + d, inc.lat + d].map(function (v) { return v.toFixed(5); }).join(',');
    Y.get('/api/v1/facilities?' + Y.query({format: 'geojson', bbox: bbox, size: 500})).then(function (fc) {
      layers.nearby.clearLayers();
      var kinds = {};
      (fc.features || []).forEach(function (f) {
        var p = f.properties || {};
        if (!f.geometry || f.geometry.type !== 'Point' || cfg.nearbyKinds.indexOf(p.kind) < 0) return;
        var c = f.geometry.coordinates;
        kinds[p.kind] = true;
        var m = L.circleMarker([c[1], c[0]], {
          radius: 6, weight: 1.5, color: '#ffffff', fillColor: Y.colour('facilityKind', p.kind) || '#334155',
          fillOpacity: 0.9, className: 'yj-near-fac yj-fk-' + p.kind
        });
        var km = map.distance([c[1], c[0]], [inc.lat, inc.lon]) / 1000;
        m.bindTooltip(Y.esc(p.name || '') + ' · ' + Y.esc(Y.label('facilityKind', p.kind)) + ' · ' +
          T('map.km_away', {km: km.toFixed(1)}), {direction: 'top'});
        layers.nearby.addLayer(m);
      });
      legendKinds = Object.keys(kinds);
      legend();
    }).catch(function () { legend(); });
  }

  var legendKinds = [];

  function legend() {
    var kinds = legendKinds;
    var box = $('ws-legend');
    box.textContent = '';
    function row(cls, colourValue, text) {
      var r = el('div', 'inc-legend-row');
      var sw = el('span', 'inc-swatch ' + cls);
      if (colourValue) sw.style.setProperty('--swatch', colourValue);
      r.appendChild(sw);
      r.appendChild(el('span', null, text));
      box.appendChild(r);
    }
    row('inc-swatch-incident', Y.levelColour(state.incident && state.incident.effective_level), T('map.incident'));
    kinds.forEach(function (k) { row('', Y.colour('facilityKind', k), Y.label('facilityKind', k)); });
    row('inc-swatch-rec', '', T('map.recommended'));
    row('inc-swatch-route', '', T('map.route'));
  }

  /* ---- the incident: head, level, lifecycle --------------------------------------------------------- */
  function renderHead() {
    var inc = state.incident;
    var lv = $('ws-level');
    lv.className = 'inc-lvl lvl-' + (inc.effective_level || 'none') + (inc.level ? '' : ' inc-lvl-suggested');
    lv.setAttribute('data-level', inc.effective_level || '');
    lv.setAttribute('data-confirmed', inc.level ? 'true' : 'false');
    lv.textContent = inc.effective_level ? inc.effective_level + ' ' + Y.label('level', inc.effective_level) : T('lv.none');
    $('ws-title').textContent = inc.title;
    document.title = inc.title + ' · ' + T('ws.title');
    var st = $('ws-status');
    st.textContent = Y.label('status', inc.status);
    st.setAttribute('data-status', inc.status);
    st.style.setProperty('--chip', Y.colour('status', inc.status));
    var resp = $('ws-response');
    resp.hidden = !inc.response_level;
    if (inc.response_level) resp.textContent = T('plan.response_n', {n: T('plan.level_' + inc.response_level)});
    $('ws-facts').textContent = [
      Y.label('category', inc.category) + ' / ' + Y.typeLabel(state.ref, inc.type),
      Y.divisionName(inc.division_code) + (inc.address ? ' ' + inc.address : ''),
      T('board.occurred', {time: Y.fmtTime(inc.occurred_at)}),
      T('board.reported', {time: Y.fmtTime(inc.reported_at), ago: Y.ago(inc.reported_at)})
    ].concat(inc.reporter_name ? [T('ws.reporter', {name: inc.reporter_name + (inc.reporter_phone ? ' ' + inc.reporter_phone : '')})] : [])
      .join(' · ');
    $('ws-figures').textContent = Y.figuresText(inc);
  }

  function renderLevel() {
    var inc = state.incident;
    var now = $('lv-now');
    now.textContent = '';
    var r = inc.level_reasoning || {};
    if (inc.level) {
      now.appendChild(Y.levelBadge(inc.level, false));
      now.appendChild(el('span', 'inc-level-meta', T('lv.confirmed_by', {user: inc.level_confirmed_by || '—',
        time: Y.fmtTime(inc.level_confirmed_at)})));
      if (inc.level_override_reason) {
        now.appendChild(el('span', 'inc-level-meta', T('lv.override_reason', {reason: inc.level_override_reason,
          suggested: inc.suggested_level || '—'})));
      }
      if (inc.suggested_level && inc.suggested_level !== inc.level && !inc.level_override_reason) {
        now.appendChild(el('span', 'inc-level-meta inc-warn', T('lv.review', {suggested: inc.suggested_level})));
      }
    } else {
      now.appendChild(Y.levelBadge(inc.suggested_level, true));
      now.appendChild(el('span', 'inc-level-meta', T('lv.suggested_only')));
    }
    now.setAttribute('data-level', inc.level || '');
    now.setAttribute('data-suggested', inc.suggested_level || '');
    $('lv-why').textContent = (Y.zh ? r.reasoning_zh : r.reasoning_en) || '';
    $('lv-src').textContent = r.criteria_name ? T('grade.source', {name: r.criteria_name, source: r.source, status: r.status}) +
      (r.status === 'U' ? ' ' + T('grade.unverified') : '') : '';
    var accept = $('lv-accept');
    if (accept) {
      var frozen = inc.status === 'merged' || inc.status === 'false_alarm';
      accept.hidden = !inc.suggested_level || frozen;
      accept.textContent = T('lv.accept_level', {level: inc.suggested_level || ''});
      accept.disabled = inc.level === inc.suggested_level;
      $('lv-override-toggle').hidden = frozen;
      if (frozen) $('lv-override').hidden = true;
      if ($('lv-override').hidden) $('lv-select').value = inc.effective_level || 'IV';
    }
  }

  var TRANSITION_NEEDS_FORM = {closed: true, false_alarm: true, merged: true};
  var pendingTransition = null;

  function renderTransitions() {
    var inc = state.incident;
    var box = $('tr-buttons');
    box.textContent = '';
    var allowed = inc.allowed_transitions || [];
    $('transitions').hidden = !cfg.can.update;
    if (!allowed.length) box.appendChild(el('span', 'inc-note', T('tr.final')));
    allowed.forEach(function (s) {
      var b = button(T('tr.to.' + s), TRANSITION_NEEDS_FORM[s] ? '' : 'btn-primary', {'data-transition': s});
      b.addEventListener('click', function () { startTransition(s, b); });
      box.appendChild(b);
    });
  }

  function startTransition(target, btn) {
    if (!TRANSITION_NEEDS_FORM[target]) { transition(target, btn, {}); return; }
    pendingTransition = target;
    $('tr-form').hidden = false;
    $('tr-form-label').textContent = T('tr.confirm_to', {to: Y.label('status', target)});
    $('tr-reason').value = '';
    $('tr-reason').placeholder = T(target === 'closed' ? 'tr.reason_optional' : 'tr.reason');
    var merge = $('tr-merge');
    merge.hidden = target !== 'merged';
    if (target === 'merged') {
      merge.textContent = '';
      Y.get('/api/v1/incidents?open=true&size=100').then(function (page) {
        (page.items || []).filter(function (i) { return i.id !== ID; }).forEach(function (i) {
          var o = el('option', null, '#' + i.id + ' ' + i.title);
          o.value = i.id;
          merge.appendChild(o);
        });
      }).catch(function () {});
    }
    $('tr-reason').focus();
  }

  function transition(target, btn, extra) {
    var body = {to: target};
    Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
    return act(btn, $('tr-msg'), Y.post(BASE + '/transitions', body), function (inc) {
      state.incident = inc;
      renderAll();
      return T('tr.done', {to: Y.label('status', inc.status)});
    }, [refresh.timeline, refresh.tasks, refresh.plans]);
  }

  /* ---- plans ------------------------------------------------------------------------------------------ */
  function planName(id) {
    var p = state.plans.filter(function (s) { return s.plan.id === id; })[0];
    return p ? p.plan.name : T('plan.plan_n', {id: id});
  }

  function activated(planId, level) {
    return state.activations.some(function (a) { return a.plan_id === planId && a.response_level === level; });
  }

  function renderPlans() {
    if (!$('plan-list')) return;
    var rows = state.plans.map(function (s) {
      var p = s.plan;
      var li = el('li', 'inc-row inc-plan');
      li.setAttribute('data-plan-id', p.id);
      li.setAttribute('data-suggested-level', s.response_level || '');
      var head = el('div', 'inc-row-head');
      head.appendChild(el('span', 'inc-row-title', p.name));
      head.appendChild(el('span', 'inc-row-sub', Y.label('planKind', p.kind)));
      li.appendChild(head);
      li.appendChild(el('div', 'inc-row-facts', Y.zh ? s.reason : (s.response_level
        ? T('plan.reason_level', {n: T('plan.level_' + s.response_level)}) : T('plan.reason_none'))));
      var controls = el('div', 'inc-actions');
      var select = el('select', 'inc-select-small');
      select.setAttribute('aria-label', T('plan.response_level'));
      select.setAttribute('data-plan-level', p.id);
      p.levels.forEach(function (lv) {
        var o = el('option', null, T('plan.response_n', {n: T('plan.level_' + lv.response_level)}) +
          (lv.response_level === s.response_level ? ' ' + T('plan.suggested_mark') : ''));
        o.value = lv.response_level;
        select.appendChild(o);
      });
      select.value = String(s.response_level || (p.levels.length ? p.levels[p.levels.length - 1].response_level : ''));
      var detail = el('div', 'inc-plan-detail');
      var go = button(T('plan.activate'), 'btn-primary', {'data-activate': p.id});
      function describe() {
        var n = +select.value;
        var lv = p.levels.filter(function (x) { return x.response_level === n; })[0];
        detail.textContent = '';
        if (!lv) return;
        detail.appendChild(el('div', 'inc-note', T('plan.criteria', {text: lv.criteria})));
        var ul = el('ul', 'inc-plan-actions');
        lv.actions.forEach(function (a) {
          ul.appendChild(el('li', null, (cfg.units[String(a.unit_id)] || T('task.unit_n', {id: a.unit_id})) + '：' +
            a.action + ' ' + T('plan.within', {m: a.deadline_minutes})));
        });
        detail.appendChild(ul);
        var done = activated(p.id, n);
        go.disabled = done || !cfg.can.activate || final();
        go.textContent = done ? T('plan.is_active') : T('plan.activate');
      }
      select.addEventListener('change', describe);
      go.addEventListener('click', function () {
        var n = +select.value;
        act(go, $('plan-msg'), Y.post(BASE + '/activations', {plan_id: p.id, response_level: n}), function (a) {
          return T('plan.activated_ok', {name: p.name, n: T('plan.level_' + n), tasks: (a.task_ids || []).length});
        }, [refresh.incident, refresh.plans, refresh.tasks, refresh.timeline]);
      });
      controls.appendChild(select);
      if (cfg.can.activate) controls.appendChild(go);
      li.appendChild(controls);
      li.appendChild(detail);
      describe();
      return li;
    });
    fill($('plan-list'), $('plan-empty'), rows);
    fill($('activation-list'), $('activation-empty'), state.activations.map(function (a) {
      var li = el('li', 'inc-row');
      li.setAttribute('data-activation-id', a.id);
      li.setAttribute('data-plan-id', a.plan_id);
      li.appendChild(el('div', 'inc-row-title', planName(a.plan_id) + ' · ' +
        T('plan.response_n', {n: T('plan.level_' + a.response_level)})));
      li.appendChild(el('div', 'inc-row-facts', T('plan.activated_meta', {time: Y.fmtTime(a.activated_at),
        user: a.activated_by, n: (a.task_ids || []).length})));
      return li;
    }));
  }

  /* ---- recommended resources --------------------------------------------------------------------------- */
  function methodText(method) { return T('rec.method.' + (method || 'unknown')); }

  function renderRecs() {
    var answer = state.rec.answer;
    layers.rec.clearLayers();
    if (!answer) return;
    var note = $('rec-note');
    note.textContent = !(answer.items || []).length ? '' : answer.method === 'road' ? T('rec.note_road')
      : (state.rec.type === 'expert' ? T('rec.note_expert') : T('rec.note_straight'));
    note.setAttribute('data-method', answer.method);
    var rows = (answer.items || []).map(function (it, i) {
      var li = el('li', 'inc-row inc-rec' + (it.matches && it.matches.length ? ' inc-match' : ''));
      li.setAttribute('data-rec-id', it.id);
      li.setAttribute('data-rec-type', it.resource_type);
      li.setAttribute('data-eta-s', it.eta_s === null ? '' : String(it.eta_s));
      var head = el('div', 'inc-row-head');
      head.appendChild(el('span', 'inc-rank', String(i + 1)));
      head.appendChild(el('span', 'inc-row-title', it.name));
      var eta = el('span', 'inc-eta', it.eta_s !== null && it.eta_s !== undefined ? T('rec.eta', {m: Y.fmtMin(it.eta_s)}) : '—');
      head.appendChild(eta);
      li.appendChild(head);
      var spec = it.specialty ? (Y.label(it.resource_type === 'vehicle' ? 'vehicleType' : 'specialty', it.specialty)) : '';
      var facts = [spec, Y.divisionName(it.division_code)].filter(Boolean);
      if (it.distance_m) facts.push(T('rec.km', {km: Y.fmtKm(it.distance_m)}));
      facts.push(methodText(it.eta_method));
      var sub = el('div', 'inc-row-facts', facts.join(' · '));
      if (it.matches && it.matches.length) {
        sub.appendChild(el('span', 'inc-badge inc-badge-match', T('rec.matches', {what: it.matches.map(function (m) {
          return Y.label(it.resource_type === 'vehicle' ? 'vehicleType' : 'specialty', m);
        }).join(Y.zh ? '、' : ', ')})));
      }
      li.appendChild(sub);
      if (cfg.can.dispatch) {
        var b = button(T('rec.dispatch'), 'btn-primary', {'data-dispatch': it.resource_type + ':' + it.id});
        b.disabled = final();
        b.addEventListener('click', function () { dispatch(it, b); });
        li.appendChild(b);
      }
      if (it.lon !== null && it.lat !== null && it.lon !== undefined) {
        var icon = L.divIcon({className: 'yj-rec-marker', html: String(i + 1), iconSize: [22, 22], iconAnchor: [11, 11]});
        var m = L.marker([it.lat, it.lon], {icon: icon, keyboard: false});
        m.bindTooltip(Y.esc(it.name) + (it.eta_s ? ' · ' + T('rec.eta', {m: Y.fmtMin(it.eta_s)}) : ''), {direction: 'top'});
        layers.rec.addLayer(m);
        resources[it.resource_type + ':' + it.id] = {lon: it.lon, lat: it.lat, name: it.name};
      }
      return li;
    });
    fill($('rec-list'), $('rec-empty'), rows);
  }

  function loadRecs() {
    var type = state.rec.type;
    return Y.get(BASE + '/recommendations?' + Y.query({resource_type: type, k: 10})).then(function (answer) {
      if (type !== state.rec.type) return;
      state.rec.answer = answer;
      renderRecs();
    }).catch(function (err) {
      Y.say($('rec-msg'), Y.errorText(err), 'error');
    });
  }

  function dispatch(it, btn) {
    return act(btn, $('rec-msg'), Y.post(BASE + '/dispatches', {resource_type: it.resource_type, resource_id: it.id}),
      function (d) {
        return T('rec.dispatched', {name: d.resource_name}) + (d.eta_s !== null && d.eta_s !== undefined
          ? ' ' + T('rec.eta', {m: Y.fmtMin(d.eta_s)}) : '');
      }, [refresh.dispatches, refresh.recs, refresh.timeline]);
  }

  document.querySelectorAll('[data-rec-type]').forEach(function (tab) {
    if (tab.tagName !== 'BUTTON') return;
    tab.addEventListener('click', function () {
      document.querySelectorAll('button[data-rec-type]').forEach(function (b) {
        b.setAttribute('aria-selected', b === tab ? 'true' : 'false');
      });
      state.rec.type = tab.getAttribute('data-rec-type');
      state.rec.answer = null;
      $('rec-list').textContent = '';
      Y.say($('rec-msg'), '', 'info');
      refresh.recs.now();
    });
  });

  /* ---- dispatched resources and their routes --------------------------------------------------------------- */
  function resourceOf(d) {
    var key = d.resource_type + ':' + d.resource_id;
    if (resources[key]) return Promise.resolve(resources[key]);
    return Y.get('/api/v1/' + REGISTRY[d.resource_type] + '/' + d.resource_id).then(function (r) {
      resources[key] = {lon: r.lon, lat: r.lat, name: r.name};
      return resources[key];
    });
  }

  function routeInfo(d, info) {
    var li = document.querySelector('#dispatch-list [data-dispatch-id="' + d.id + '"] .inc-route-info');
    if (!li) return;
    li.textContent = info.text;
    if (info.time_s !== undefined) li.setAttribute('data-time-s', String(info.time_s));
    li.setAttribute('data-route', info.kind);
  }

  function drawRoute(d) {
    var inc = state.incident;
    var key = d.id + '@' + inc.lon + ',' + inc.lat + ':' + d.status;
    if (routes[d.id] && routes[d.id].key === key) { routeInfo(d, routes[d.id].info); return; }
    resourceOf(d).then(function (res) {
      if (res.lon === null || res.lon === undefined) return;
      var from = {lon: res.lon, lat: res.lat}, to = {lon: inc.lon, lat: inc.lat};
      var routed = cfg.can.routing && cfg.network && d.resource_type !== 'expert'
        ? Y.post('/api/v1/routing/route', {origin: from, destination: to}) : Promise.reject(new Error('straight'));
      return routed.then(function (feature) {
        var p = feature.properties || {};
        var layer = L.geoJSON(feature, {pane: 'incRoutes', interactive: false, style: {
          color: Y.colour('dispatchStatus', d.status) || '#1d4ed8', weight: 5, opacity: 0.85,
          className: 'yj-dispatch-route yj-ds-' + d.status
        }});
        return {layer: layer, info: {kind: 'road', time_s: p.time_s,
          text: T('disp.route', {m: Y.fmtMin(p.time_s), km: Y.fmtKm(p.length_m)})}};
      }).catch(function () {
        var layer = L.polyline([[from.lat, from.lon], [to.lat, to.lon]], {pane: 'incRoutes', interactive: false,
          color: '#64748b', weight: 3, dashArray: '6 6', className: 'yj-dispatch-line'});
        return {layer: layer, info: {kind: 'straight', text: T('disp.route_straight')}};
      }).then(function (drawn) {
        var active = state.dispatches.filter(function (x) { return x.id === d.id; })[0];
        if (!active || cfg.dispatchActive.indexOf(active.status) < 0) return;
        if (routes[d.id]) { layers.routes.removeLayer(routes[d.id].layer); layers.dispatched.removeLayer(routes[d.id].marker); }
        var marker = L.circleMarker([from.lat, from.lon], {radius: 7, weight: 2, color: '#ffffff',
          fillColor: Y.colour('dispatchStatus', d.status) || '#1d4ed8', fillOpacity: 1,
          className: 'yj-disp-marker yj-ds-' + d.status});
        marker.bindTooltip(Y.esc(d.resource_name) + ' · ' + Y.esc(Y.label('dispatchStatus', d.status)), {direction: 'top'});
        layers.routes.addLayer(drawn.layer);
        layers.dispatched.addLayer(marker);
        routes[d.id] = {key: key, layer: drawn.layer, marker: marker, info: drawn.info};
        routeInfo(d, drawn.info);
      });
    }).catch(function () {});
  }

  function syncRoutes() {
    var keep = {};
    state.dispatches.forEach(function (d) {
      if (cfg.dispatchActive.indexOf(d.status) >= 0) { keep[d.id] = true; drawRoute(d); }
    });
    Object.keys(routes).forEach(function (id) {
      if (!keep[id]) {
        layers.routes.removeLayer(routes[id].layer);
        layers.dispatched.removeLayer(routes[id].marker);
        delete routes[id];
      }
    });
  }

  function renderDispatches() {
    var rows = state.dispatches.map(function (d) {
      var li = el('li', 'inc-row inc-dispatch');
      li.setAttribute('data-dispatch-id', d.id);
      li.setAttribute('data-status', d.status);
      var head = el('div', 'inc-row-head');
      head.appendChild(el('span', 'inc-row-title', d.resource_name));
      head.appendChild(el('span', 'inc-row-sub', Y.label('resourceType', d.resource_type)));
      head.appendChild(Y.chip('dispatchStatus', d.status));
      li.appendChild(head);
      var times = [T('disp.requested_at', {time: Y.fmtClock(d.requested_at)})];
      if (d.en_route_at) times.push(T('disp.en_route_at', {time: Y.fmtClock(d.en_route_at)}));
      if (d.on_scene_at) times.push(T('disp.on_scene_at', {time: Y.fmtClock(d.on_scene_at)}));
      if (d.released_at) times.push(T('disp.released_at', {time: Y.fmtClock(d.released_at)}));
      if (d.eta_s !== null && d.eta_s !== undefined) times.push(T('rec.eta', {m: Y.fmtMin(d.eta_s)}) + ' (' + methodText(d.eta_method) + ')');
      li.appendChild(el('div', 'inc-row-facts', times.join(' · ')));
      if (cfg.dispatchActive.indexOf(d.status) >= 0) li.appendChild(el('div', 'inc-route-info', ''));
      var next = cfg.dispatchNext[d.status] || [];
      if (cfg.can.dispatchUpdate && next.length) {
        var actions = el('div', 'inc-actions');
        next.forEach(function (s) {
          var b = button(T('disp.to.' + s), s === 'released' ? '' : 'btn-primary', {'data-dispatch-action': s});
          b.addEventListener('click', function () {
            act(b, $('disp-msg'), Y.post('/api/v1/dispatches/' + d.id + '/status', {status: s}), function (x) {
              return T('disp.done', {name: x.resource_name, status: Y.label('dispatchStatus', x.status)});
            }, [refresh.dispatches, refresh.timeline, refresh.recs]);
          });
          actions.appendChild(b);
        });
        li.appendChild(actions);
      }
      return li;
    });
    fill($('dispatch-list'), $('dispatch-empty'), rows, $('disp-count'));
    syncRoutes();
  }

  /* ---- tasks --------------------------------------------------------------------------------------------- */
  function renderTasks() {
    if (!$('task-list')) return;
    fill($('task-list'), $('task-empty'), state.tasks.map(function (tk) {
      var li = el('li', 'inc-row' + (tk.overdue ? ' inc-overdue' : ''));
      li.setAttribute('data-task-id', tk.id);
      li.setAttribute('data-status', tk.status);
      li.setAttribute('data-overdue', tk.overdue ? 'true' : 'false');
      var head = el('div', 'inc-row-head');
      head.appendChild(el('span', 'inc-row-title', tk.title));
      head.appendChild(Y.chip('taskStatus', tk.status));
      li.appendChild(head);
      var facts = [Y.assigneeText(tk)];
      if (tk.deadline) {
        facts.push(tk.overdue ? T('task.overdue_by', {d: Y.fmtDuration(Date.now() - Y.toDate(tk.deadline).getTime())})
          : T('task.deadline', {time: Y.fmtClock(tk.deadline)}));
      }
      if (tk.progress) facts.push(tk.progress + '%');
      if (tk.reject_reason) facts.push(tk.reject_reason);
      li.appendChild(el('div', 'inc-row-facts', facts.join(' · ')));
      return li;
    }), $('task-count'));
  }

  /* ---- reporting upward ------------------------------------------------------------------------------------ */
  function renderSchedule() {
    var list = $('schedule-list');
    if (!list) return;
    var s = state.schedule;
    var rows = ((s && s.items) || []).map(function (item, i) {
      var li = el('li', 'inc-row inc-sched');
      var badge = Y.scheduleBadges({items: [item]})[0];
      li.setAttribute('data-report-kind', item.kind);
      li.setAttribute('data-channel', item.channel || '');
      li.setAttribute('data-state', badge.getAttribute('data-state'));
      li.setAttribute('data-index', String(i));
      li.appendChild(badge);
      var facts = [];
      if (item.due_at) facts.push(T('rep.due_at', {time: Y.fmtTime(item.due_at)}));
      if (item.done_at) facts.push(T('rep.done_at', {time: Y.fmtTime(item.done_at)}));
      facts.push(T('rep.rule_status', {status: item.status}));
      li.appendChild(el('span', 'inc-row-facts', facts.join(' · ')));
      return li;
    });
    fill(list, null, rows);
    var note = [];
    if (s && s.level) note.push(T('rep.level_rule', {level: s.level}) + (s.level_confirmed ? '' : ' ' + T('rep.level_unconfirmed')));
    if (s && s.accident_note) note.push(T('rep.accident_note'));
    $('schedule-note').textContent = note.join(' ');
    fill($('report-list'), null, state.reports.slice().reverse().map(function (r) {
      var li = el('li', 'inc-row');
      li.setAttribute('data-report-id', r.id);
      li.setAttribute('data-report-kind', r.kind);
      li.appendChild(el('div', 'inc-row-title', Y.label('reportKind', r.kind) + (r.kind === 'follow_up' ? ' #' + r.sequence : '') +
        ' · ' + Y.label('reportChannel', r.channel) + ' → ' + r.recipient));
      li.appendChild(el('div', 'inc-row-facts', Y.fmtTime(r.submitted_at) + ' · ' + r.submitted_by));
      return li;
    }));
  }

  function draft(kind) {
    var inc = state.incident;
    var when = Y.fmtTime(inc.occurred_at);
    var where = Y.divisionName(inc.division_code) + (inc.address ? inc.address : '');
    var level = inc.effective_level ? inc.effective_level + ' ' + Y.label('level', inc.effective_level) : T('lv.none');
    var active = state.dispatches.filter(function (d) { return cfg.dispatchActive.indexOf(d.status) >= 0; })
      .map(function (d) { return d.resource_name; });
    return T('rep.draft', {
      kind: Y.label('reportKind', kind), time: when, place: where, type: Y.typeLabel(state.ref, inc.type),
      title: inc.title, figures: Y.figuresText(inc), level: level, status: Y.label('status', inc.status),
      resources: active.length ? active.join(Y.zh ? '、' : ', ') : T('rep.none')
    });
  }

  function openReport(kind) {
    var form = $('rep-form');
    form.hidden = false;
    $('rep-kind').value = kind;
    var phoneDue = ((state.schedule && state.schedule.items) || []).some(function (i) {
      return i.kind === 'initial' && i.channel === 'phone' && !i.done_at;
    });
    $('rep-channel').value = kind === 'initial' && phoneDue ? 'phone' : 'written';
    $('rep-content').value = draft(kind);
    $('rep-recipient').focus();
  }

  function initReports() {
    var form = $('rep-form');
    if (!form) return;
    Object.keys(cfg.enums.reportKind).forEach(function (k) {
      var o = el('option', null, Y.label('reportKind', k));
      o.value = k;
      $('rep-kind').appendChild(o);
    });
    Object.keys(cfg.enums.reportChannel).forEach(function (k) {
      var o = el('option', null, Y.label('reportChannel', k));
      o.value = k;
      $('rep-channel').appendChild(o);
    });
    document.querySelectorAll('[data-report-kind]').forEach(function (b) {
      if (b.tagName === 'BUTTON') b.addEventListener('click', function () { openReport(b.getAttribute('data-report-kind')); });
    });
    $('rep-cancel').addEventListener('click', function () { form.hidden = true; });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var recipient = $('rep-recipient').value.trim(), content = $('rep-content').value.trim();
      if (!recipient || !content) { Y.say($('rep-msg'), T('rep.need_text'), 'error'); return; }
      act($('rep-submit'), $('rep-msg'), Y.post(BASE + '/reports', {kind: $('rep-kind').value,
        channel: $('rep-channel').value, recipient: recipient, content: content}), function (r) {
        form.hidden = true;
        return T('rep.sent', {kind: Y.label('reportKind', r.kind), channel: Y.label('reportChannel', r.channel)});
      }, [refresh.schedule, refresh.timeline]);
    });
  }

  /* ---- timeline and notes ------------------------------------------------------------------------------------ */
  function renderTimeline() {
    fill($('timeline'), null, state.timeline.slice().reverse().map(function (e) {
      var li = el('li', 'inc-tl inc-tl-' + e.kind);
      li.setAttribute('data-timeline-id', e.id);
      li.setAttribute('data-kind', e.kind);
      var head = el('div', 'inc-tl-head');
      head.appendChild(el('time', 'inc-tl-time', Y.fmtTime(e.at)));
      head.appendChild(Y.chip('timelineKind', e.kind, 'inc-chip-kind'));
      head.appendChild(el('span', 'inc-tl-actor', e.actor_name));
      li.appendChild(head);
      li.appendChild(el('div', 'inc-tl-summary', e.summary));
      return li;
    }));
  }

  function initNotes() {
    var form = $('note-form');
    if (!form) return;
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = $('note-text').value.trim();
      if (!text) { Y.say($('note-msg'), T('tl.need_text'), 'error'); return; }
      act($('note-submit'), $('note-msg'), Y.post(BASE + '/notes', {kind: $('note-kind').value, text: text}), function () {
        $('note-text').value = '';
        return T('tl.added');
      }, [refresh.timeline]);
    });
  }

  /* ---- level and lifecycle controls ------------------------------------------------------------------------- */
  function initLevel() {
    var accept = $('lv-accept');
    if (!accept) return;
    accept.addEventListener('click', function () {
      var level = state.incident.suggested_level;
      act(accept, $('lv-msg'), Y.post(BASE + '/level', {level: level}), function (inc) {
        state.incident = inc;
        renderAll();
        return T('lv.accepted', {level: level + ' ' + Y.label('level', level)});
      }, [refresh.timeline, refresh.plans, refresh.schedule]);
    });
    $('lv-override-toggle').addEventListener('click', function () {
      var form = $('lv-override');
      form.hidden = !form.hidden;
      $('lv-override-toggle').setAttribute('aria-expanded', form.hidden ? 'false' : 'true');
      if (!form.hidden) $('lv-reason').focus();
    });
    $('lv-override').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var level = $('lv-select').value, reason = $('lv-reason').value.trim();
      if (level !== state.incident.suggested_level && !reason) {
        Y.say($('lv-msg'), T('err.reason_required'), 'error');
        $('lv-reason').focus();
        return;
      }
      var body = {level: level};
      if (reason) body.reason = reason;
      act($('lv-override-save'), $('lv-msg'), Y.post(BASE + '/level', body), function (inc) {
        state.incident = inc;
        $('lv-override').hidden = true;
        $('lv-reason').value = '';
        renderAll();
        return T('lv.overridden', {level: level + ' ' + Y.label('level', level)});
      }, [refresh.timeline, refresh.plans, refresh.schedule]);
    });
  }

  function initTransitions() {
    $('tr-cancel').addEventListener('click', function () { $('tr-form').hidden = true; pendingTransition = null; });
    $('tr-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var target = pendingTransition;
      if (!target) return;
      var reason = $('tr-reason').value.trim();
      if (target !== 'closed' && !reason) { Y.say($('tr-msg'), T('err.reason_required'), 'error'); return; }
      var extra = {};
      if (reason) extra.reason = reason;
      if (target === 'merged') {
        if (!$('tr-merge').value) { Y.say($('tr-msg'), T('tr.need_merge'), 'error'); return; }
        extra.merged_into_id = +$('tr-merge').value;
      }
      transition(target, $('tr-confirm'), extra).then(function (inc) {
        if (inc) { $('tr-form').hidden = true; pendingTransition = null; }
      });
    });
  }

  /* ---- loading and live updates ------------------------------------------------------------------------------- */
  function renderAll() {
    if (!state.incident) return;
    renderHead();
    renderLevel();
    renderTransitions();
    drawIncident();
    renderPlans();
    renderRecs();
    renderDispatches();
    renderTasks();
    renderSchedule();
  }

  function loadIncident() {
    return Y.get(BASE).then(function (inc) {
      var moved = state.incident && (state.incident.lon !== inc.lon || state.incident.lat !== inc.lat ||
        state.incident.type !== inc.type || state.incident.status !== inc.status);
      state.incident = inc;
      renderAll();
      if (moved) refresh.recs();
    });
  }

  function loadTimeline() {
    return Y.get(BASE + '/timeline').then(function (rows) { state.timeline = rows || []; renderTimeline(); });
  }

  function loadPlans() {
    if (!$('plan-list')) return Promise.resolve();
    return Promise.all([Y.get(BASE + '/plans'), Y.get(BASE + '/activations')]).then(function (a) {
      state.plans = a[0] || [];
      state.activations = a[1] || [];
      renderPlans();
    });
  }

  function loadTasks() {
    if (!$('task-list')) return Promise.resolve();
    return Y.get(BASE + '/tasks?size=200').then(function (page) { state.tasks = page.items || []; renderTasks(); });
  }

  function loadDispatches() {
    return Y.get(BASE + '/dispatches?size=100').then(function (page) {
      state.dispatches = page.items || [];
      renderDispatches();
    });
  }

  function loadSchedule() {
    if (!$('schedule-list')) return Promise.resolve();
    return Promise.all([Y.get(BASE + '/reports/schedule'), Y.get(BASE + '/reports')]).then(function (a) {
      state.schedule = a[0];
      state.reports = a[1] || [];
      renderSchedule();
    });
  }

  var refresh = {
    incident: Y.refresher(loadIncident),
    timeline: Y.refresher(loadTimeline),
    plans: Y.refresher(loadPlans),
    tasks: Y.refresher(loadTasks),
    dispatches: Y.refresher(loadDispatches),
    schedule: Y.refresher(loadSchedule),
    recs: Y.refresher(loadRecs)
  };

  function refreshAll() { Object.keys(refresh).forEach(function (k) { refresh[k](); }); }

  Y.live(Y.query({incident_id: ID}), function (ev) {
    if (!ev) { refreshAll(); return; }
    refresh.timeline();
    if (ev.topic === 'incident') {
      refresh.incident();
      refresh.plans();
      refresh.schedule();
      if (ev.action === 'plan') refresh.tasks();
    }
    if (ev.topic === 'task') refresh.tasks();
    if (ev.topic === 'dispatch') { refresh.dispatches(); refresh.recs(); }
    if (ev.topic === 'report') refresh.schedule();
  });

  initLevel();
  initTransitions();
  initReports();
  initNotes();
  setInterval(function () { if (state.incident) { renderHead(); renderTasks(); renderSchedule(); } }, 30000);

  Y.loadReference().catch(function () { return null; }).then(function (ref) {
    state.ref = ref;
    return loadIncident();
  }).then(function () {
    loadTimeline();
    loadPlans();
    loadTasks();
    loadDispatches();
    loadSchedule();
    loadRecs();
  }).catch(function (err) { Y.say($('tr-msg'), Y.errorText(err), 'error'); });

  window.yingjiIncident = {map: map, layers: layers, routes: routes, state: state, refresh: refresh};
})();
