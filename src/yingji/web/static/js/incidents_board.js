/* The incident board (值班看板): who is on duty, the open incidents by level with their reporting
   deadlines, the resources out on dispatch, open and overdue tasks — kept current from the live
   event stream — and the form that takes a report (接报) with its suggested level. */
(function () {
  'use strict';
  var Y = window.YJInc;
  var cfg = Y.cfg, T = Y.T, el = Y.el, $ = Y.$;
  var state = {incidents: [], schedules: {}, dispatches: [], tasks: [], duty: null, ref: null};

  function link(href, text, className) {
    var a = el('a', className, text);
    a.href = href;
    return a;
  }

  function incidentTitle(id) {
    var inc = state.incidents.filter(function (i) { return i.id === id; })[0];
    return inc ? inc.title : T('board.incident_n', {id: id});
  }

  function fill(list, empty, count, items) {
    list.textContent = '';
    items.forEach(function (li) { list.appendChild(li); });
    if (empty) empty.hidden = items.length > 0;
    if (count) count.textContent = '(' + items.length + ')';
  }

  /* ---- who is on duty ------------------------------------------------------------------------- */
  function loadDuty() {
    var body = $('duty-body');
    if (!cfg.can.duty) { $('duty-now').hidden = true; return Promise.resolve(); }
    return Y.get('/api/v1/duty/now').then(function (answer) {
      state.duty = answer;
      body.textContent = '';
      var items = answer.items || [];
      if (!items.length) { body.textContent = T('duty.none'); return; }
      items.forEach(function (s) {
        var span = el('span', 'inc-duty-item');
        span.setAttribute('data-shift-id', s.id);
        span.appendChild(el('strong', null, Y.divisionName(s.division_code)));
        span.appendChild(document.createTextNode(' ' + T('duty.officer', {name: s.officer_name}) + ' · ' +
          T('duty.leader', {name: s.leader_name}) + (s.phone ? ' · ☎ ' + s.phone : '') + ' · ' +
          T('duty.until', {time: Y.fmtClock(s.ends_at)})));
        body.appendChild(span);
      });
    }).catch(function (err) { body.textContent = Y.errorText(err); });
  }

  /* ---- open incidents ------------------------------------------------------------------------------- */
  function dispatchCount(id) {
    return state.dispatches.filter(function (d) { return d.incident_id === id; }).length;
  }

  function card(inc) {
    var level = inc.effective_level;
    var li = el('li', 'inc-card lvl-' + (level || 'none'));
    li.setAttribute('data-incident-id', inc.id);
    li.setAttribute('data-level', level || '');
    li.setAttribute('data-status', inc.status);
    li.style.setProperty('--lvl', Y.levelColour(level));
    var head = el('div', 'inc-card-head');
    head.appendChild(Y.levelBadge(level, !inc.level));
    head.appendChild(link('/incidents/' + inc.id, inc.title, 'inc-card-title'));
    head.appendChild(Y.chip('status', inc.status));
    li.appendChild(head);
    var facts = el('div', 'inc-card-facts');
    facts.textContent = [
      Y.typeLabel(state.ref, inc.type),
      Y.divisionName(inc.division_code) + (inc.address ? ' ' + inc.address : ''),
      T('board.occurred', {time: Y.fmtTime(inc.occurred_at)}),
      T('board.reported', {time: Y.fmtTime(inc.reported_at), ago: Y.ago(inc.reported_at)})
    ].join(' · ');
    li.appendChild(facts);
    var figures = el('div', 'inc-card-figures', Y.figuresText(inc));
    figures.setAttribute('data-figures', '');
    li.appendChild(figures);
    var badges = el('div', 'inc-card-badges');
    if (inc.response_level) badges.appendChild(el('span', 'inc-badge inc-badge-response', T('plan.response_n', {n: T('plan.level_' + inc.response_level)})));
    var n = dispatchCount(inc.id);
    if (n) {
      var b = el('span', 'inc-badge inc-badge-dispatch', T('board.dispatched_n', {n: n}));
      b.setAttribute('data-dispatches', String(n));
      badges.appendChild(b);
    }
    Y.scheduleBadges(state.schedules[inc.id]).forEach(function (b) { badges.appendChild(b); });
    li.appendChild(badges);
    return li;
  }

  function sortIncidents(items) {
    return items.slice().sort(function (a, b) {
      var r = Y.levelRank(a.effective_level) - Y.levelRank(b.effective_level);
      if (r) return r;
      return (Y.toDate(b.reported_at) || 0) - (Y.toDate(a.reported_at) || 0);
    });
  }

  function renderIncidents() {
    fill($('incident-list'), $('incident-empty'), $('incident-count'), sortIncidents(state.incidents).map(card));
    drawIncidentMarkers();
    drawSituation();
  }

  /* ---- the situation map: open incidents, and lines from the resources on dispatch to them ------------------ */
  var REGISTRY = {team: 'teams', vehicle: 'vehicles', expert: 'experts'};
  var situation = Y.baseMap($('board-map'), {zoom: 10});
  var sit = {incidents: L.featureGroup().addTo(situation), dispatches: L.featureGroup().addTo(situation)};
  var located = {};  /* "team:5" → promise of {lon, lat} */
  var fitted = false;

  function resourceAt(d) {
    var key = d.resource_type + ':' + d.resource_id;
    if (!located[key]) {
      located[key] = Y.get('/api/v1/' + REGISTRY[d.resource_type] + '/' + d.resource_id)
        .then(function (r) { return {lon: r.lon, lat: r.lat}; }).catch(function () { return {lon: null, lat: null}; });
    }
    return located[key];
  }

  function drawSituation() {
    sit.incidents.clearLayers();
    state.incidents.forEach(function (inc) {
      var m = Y.incidentMarker(inc, 9);
      m.bindTooltip(Y.esc(inc.title) + ' · ' + Y.esc(inc.effective_level ? inc.effective_level + ' ' +
        Y.label('level', inc.effective_level) : T('lv.none')), {direction: 'top'});
      m.on('click', function () { window.location.href = '/incidents/' + inc.id; });
      sit.incidents.addLayer(m);
    });
    if (!fitted && state.incidents.length) {
      fitted = true;
      situation.fitBounds(sit.incidents.getBounds(), {padding: [40, 40], maxZoom: 13, animate: false});
    }
    var byId = {};
    state.incidents.forEach(function (inc) { byId[inc.id] = inc; });
    var wanted = state.dispatches.filter(function (d) { return byId[d.incident_id]; });
    Promise.all(wanted.map(resourceAt)).then(function (places) {
      sit.dispatches.clearLayers();
      wanted.forEach(function (d, i) {
        var p = places[i], inc = byId[d.incident_id];
        if (p.lon === null || p.lon === undefined) return;
        var c = Y.colour('dispatchStatus', d.status) || '#1d4ed8';
        sit.dispatches.addLayer(L.polyline([[p.lat, p.lon], [inc.lat, inc.lon]], {color: c, weight: 3,
          dashArray: '6 6', interactive: false, className: 'yj-board-dispatch yj-ds-' + d.status}));
        var m = L.circleMarker([p.lat, p.lon], {radius: 6, weight: 2, color: '#ffffff', fillColor: c, fillOpacity: 1,
          className: 'yj-disp-marker yj-ds-' + d.status});
        m.bindTooltip(Y.esc(d.resource_name) + ' · ' + Y.esc(Y.label('dispatchStatus', d.status)), {direction: 'top'});
        sit.dispatches.addLayer(m);
      });
    });
  }

  function loadIncidents() {
    return Promise.all([Y.get('/api/v1/incidents?open=true&size=100'), Y.loadReference().catch(function () { return null; })])
      .then(function (answers) {
        var items = answers[0].items || [];
        state.ref = answers[1];
        return Promise.all(items.map(function (inc) {
          if (!cfg.can.reports) return null;
          return Y.get('/api/v1/incidents/' + inc.id + '/reports/schedule').catch(function () { return null; });
        })).then(function (schedules) {
          state.incidents = items;
          state.schedules = {};
          items.forEach(function (inc, i) { state.schedules[inc.id] = schedules[i]; });
          renderIncidents();
          renderDispatches();
          renderTasks();
        });
      });
  }

  /* ---- resources on dispatch ---------------------------------------------------------------------------- */
  function renderDispatches() {
    var rows = state.dispatches.map(function (d) {
      var li = el('li', 'inc-row');
      li.setAttribute('data-dispatch-id', d.id);
      li.setAttribute('data-status', d.status);
      li.setAttribute('data-incident-id', d.incident_id);
      var top = el('div', 'inc-row-head');
      top.appendChild(el('span', 'inc-row-title', d.resource_name));
      top.appendChild(el('span', 'inc-row-sub', Y.label('resourceType', d.resource_type)));
      top.appendChild(Y.chip('dispatchStatus', d.status));
      li.appendChild(top);
      var sub = el('div', 'inc-row-facts');
      sub.appendChild(link('/incidents/' + d.incident_id, incidentTitle(d.incident_id)));
      var eta = d.eta_s !== null && d.eta_s !== undefined ? ' · ' + T('rec.eta', {m: Y.fmtMin(d.eta_s)}) : '';
      sub.appendChild(document.createTextNode(' · ' + T('disp.requested_at', {time: Y.fmtClock(d.requested_at)}) + eta));
      li.appendChild(sub);
      return li;
    });
    fill($('board-dispatches'), $('dispatch-empty'), $('dispatch-count'), rows);
  }

  function loadDispatches() {
    return Y.get('/api/v1/dispatches?active=true&size=100').then(function (page) {
      state.dispatches = page.items || [];
      renderDispatches();
      renderIncidents();
    });
  }

  /* ---- open and overdue tasks --------------------------------------------------------------------------- */
  function renderTasks() {
    var list = $('board-tasks');
    if (!list) return;
    var open = cfg.taskOpen;
    var items = state.tasks.filter(function (tk) { return open.indexOf(tk.status) >= 0; }).sort(function (a, b) {
      if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
      return (Y.toDate(a.deadline) || Infinity) - (Y.toDate(b.deadline) || Infinity);
    });
    fill(list, $('task-empty'), $('task-count'), items.map(function (tk) {
      var li = el('li', 'inc-row' + (tk.overdue ? ' inc-overdue' : ''));
      li.setAttribute('data-task-id', tk.id);
      li.setAttribute('data-status', tk.status);
      li.setAttribute('data-overdue', tk.overdue ? 'true' : 'false');
      var top = el('div', 'inc-row-head');
      top.appendChild(el('span', 'inc-row-title', tk.title));
      top.appendChild(Y.chip('taskStatus', tk.status));
      li.appendChild(top);
      var sub = el('div', 'inc-row-facts');
      sub.appendChild(document.createTextNode(Y.assigneeText(tk) + ' · '));
      sub.appendChild(link('/incidents/' + tk.incident_id, incidentTitle(tk.incident_id)));
      if (tk.deadline) {
        var dl = el('span', 'inc-deadline' + (tk.overdue ? ' inc-badge inc-badge-overdue' : ''),
          tk.overdue ? T('task.overdue_by', {d: Y.fmtDuration(Date.now() - Y.toDate(tk.deadline).getTime())})
            : T('task.deadline', {time: Y.fmtClock(tk.deadline)}));
        sub.appendChild(document.createTextNode(' · '));
        sub.appendChild(dl);
      }
      if (tk.progress) sub.appendChild(document.createTextNode(' · ' + tk.progress + '%'));
      li.appendChild(sub);
      return li;
    }));
  }

  function loadTasks() {
    if (!$('board-tasks')) return Promise.resolve();
    var mine = $('tasks-mine') && $('tasks-mine').checked;
    return Y.get('/api/v1/tasks?' + Y.query({size: 200, mine: mine ? 'true' : ''})).then(function (page) {
      state.tasks = page.items || [];
      renderTasks();
    });
  }

  /* ---- live ------------------------------------------------------------------------------------------------ */
  var refresh = {
    incidents: Y.refresher(loadIncidents),
    dispatches: Y.refresher(loadDispatches),
    tasks: Y.refresher(loadTasks),
    duty: Y.refresher(loadDuty)
  };

  function refreshAll() { Object.keys(refresh).forEach(function (k) { refresh[k](); }); }

  Y.live('', function (ev) {
    if (!ev) { refreshAll(); return; }
    if (ev.topic === 'incident' || ev.topic === 'report') refresh.incidents();
    if (ev.topic === 'dispatch') { refresh.dispatches(); }
    if (ev.topic === 'task' || (ev.topic === 'incident' && ev.action === 'plan')) refresh.tasks();
  });
  if ($('tasks-mine')) $('tasks-mine').addEventListener('change', function () { refresh.tasks(); });
  /* times move on: re-draw the deadlines every half minute, re-read everything every five */
  setInterval(function () { renderIncidents(); renderTasks(); }, 30000);
  setInterval(refreshAll, 300000);

  /* ---- the report form (接报) ---------------------------------------------------------------------------------- */
  var form = $('report-form');
  var map = null, pick = null, markers = null;
  var point = null;

  function drawIncidentMarkers() {
    if (!map) return;
    markers.clearLayers();
    state.incidents.forEach(function (inc) {
      var m = Y.incidentMarker(inc, 7);
      m.bindTooltip(Y.esc(inc.title + ' · ' + (inc.effective_level || T('lv.none'))), {direction: 'top'});
      m.on('click', function () { window.location.href = '/incidents/' + inc.id; });
      markers.addLayer(m);
    });
  }

  function setPoint(latlng) {
    var w = latlng.wrap();
    point = {lon: +w.lng.toFixed(6), lat: +w.lat.toFixed(6)};
    if (pick) pick.setLatLng(latlng);
    else {
      pick = L.circleMarker(latlng, {radius: 10, weight: 3, color: '#b91c1c', fillColor: '#fde047', fillOpacity: 0.9,
        className: 'yj-pick', interactive: false}).addTo(map);
    }
    var box = $('rp-point');
    box.textContent = T('f.point', {lon: point.lon.toFixed(5), lat: point.lat.toFixed(5)});
    box.setAttribute('data-lon', point.lon);
    box.setAttribute('data-lat', point.lat);
    showError('lon', '');
    showError('lat', '');
    Y.guessDivision(point.lon, point.lat).then(function (code) {
      if (code) $('rp-division').value = code;
    });
  }

  function showError(field, text) {
    form.querySelectorAll('[data-error-for="' + field + '"]').forEach(function (p) {
      p.textContent = text || '';
      p.hidden = !text;
    });
    var input = form.querySelector('[name="' + field + '"]');
    if (input) {
      var box = input.closest('.inc-field, .inc-num');
      if (box) box.classList.toggle('has-error', !!text);
    }
  }

  function clearErrors() {
    form.querySelectorAll('[data-error-for]').forEach(function (p) { p.textContent = ''; p.hidden = true; });
    form.querySelectorAll('.has-error').forEach(function (b) { b.classList.remove('has-error'); });
    $('rp-error').hidden = true;
  }

  function fillTypes() {
    var cat = $('rp-category').value;
    var sel = $('rp-type');
    sel.textContent = '';
    var c = (state.ref.categories || []).filter(function (x) { return x.value === cat; })[0];
    ((c && c.types) || []).forEach(function (t) {
      var o = el('option', null, Y.zh ? t.zh : t.en);
      o.value = t.value;
      sel.appendChild(o);
    });
  }

  function figures() {
    var out = {};
    form.querySelectorAll('[data-figure]').forEach(function (input) {
      var v = input.value.trim();
      if (v !== '') out[input.getAttribute('data-figure')] = v;
    });
    return out;
  }

  var gradeSeq = 0;
  function grade() {
    var seq = ++gradeSeq;
    var params = figures();
    params.category = $('rp-category').value;
    params.type = $('rp-type').value;
    if (!params.category || !params.type) return Promise.resolve();
    return Y.get('/api/v1/incidents/grade?' + Y.query(params)).then(function (s) {
      if (seq !== gradeSeq) return;
      var holder = $('rp-grade-level');
      holder.textContent = '';
      holder.appendChild(Y.levelBadge(s.level, true));
      holder.setAttribute('data-level', s.level || '');
      $('rp-grade').setAttribute('data-level', s.level || '');
      $('rp-grade-why').textContent = Y.zh ? s.reasoning_zh : s.reasoning_en;
      $('rp-grade-src').textContent = T('grade.source', {name: s.criteria_name, source: s.source, status: s.status}) +
        (s.status === 'U' ? ' ' + T('grade.unverified') : '');
      $('rp-grade-src').setAttribute('data-status', s.status);
    }).catch(function (err) {
      if (seq !== gradeSeq) return;
      $('rp-grade-level').textContent = '';
      $('rp-grade').setAttribute('data-level', '');
      $('rp-grade-why').textContent = err instanceof Y.ApiError && err.status === 422 ? T('grade.bad_figures') : Y.errorText(err);
      $('rp-grade-src').textContent = '';
    });
  }
  var gradeSoon = Y.refresher(grade, 250);

  function resetForm() {
    $('rp-occurred').value = Y.toInput(new Date());
    $('rp-reported').value = '';
    if (cfg.user.division) $('rp-division').value = cfg.user.division;
    clearErrors();
    gradeSoon();
  }

  function submit(ev) {
    ev.preventDefault();
    clearErrors();
    var errors = {};
    var title = $('rp-title').value.trim();
    if (!title) errors.title = T('v.required');
    if (!point) errors.lon = T('f.need_point');
    if (!$('rp-division').value) errors.division_code = T('v.required');
    var occurred = Y.fromInput($('rp-occurred').value);
    if (!occurred) errors.occurred_at = T('v.datetime');
    var reportedRaw = $('rp-reported').value;
    var reported = reportedRaw ? Y.fromInput(reportedRaw) : null;
    if (reportedRaw && !reported) errors.reported_at = T('v.datetime');
    var body = {
      title: title, category: $('rp-category').value, type: $('rp-type').value,
      division_code: $('rp-division').value, occurred_at: occurred
    };
    if (point) { body.lon = point.lon; body.lat = point.lat; }
    if (reported) body.reported_at = reported;
    var fig = figures();
    Object.keys(fig).forEach(function (k) {
      var n = Number(fig[k]);
      if (!isFinite(n) || n < 0) errors[k] = T('v.not_negative');
      else body[k] = n;
    });
    [['rp-address', 'address'], ['rp-reporter', 'reporter_name'], ['rp-phone', 'reporter_phone'],
      ['rp-description', 'description']].forEach(function (pair) {
      var v = $(pair[0]).value.trim();
      if (v) body[pair[1]] = v;
    });
    if (Object.keys(errors).length) {
      Object.keys(errors).forEach(function (k) { showError(k, errors[k]); });
      return;
    }
    var button = $('rp-submit');
    button.disabled = true;
    Y.post('/api/v1/incidents', body).then(function (inc) {
      window.location.href = '/incidents/' + inc.id + '?reported=1';
    }).catch(function (err) {
      button.disabled = false;
      var fields = Y.fieldErrors(err);
      var shown = false;
      Object.keys(fields).forEach(function (k) {
        if (k !== '__all__' && form.querySelector('[data-error-for="' + k + '"]')) { showError(k, fields[k]); shown = true; }
      });
      if (!shown || fields.__all__) {
        $('rp-error').textContent = Y.errorText(err);
        $('rp-error').hidden = false;
      }
    });
  }

  function initForm() {
    map = Y.baseMap($('report-map'), {zoom: 10});
    markers = L.featureGroup().addTo(map);
    map.on('click', function (e) { setPoint(e.latlng); });
    map.doubleClickZoom.disable();
    var division = $('rp-division');
    var none = el('option', null, T('f.choose'));
    none.value = '';
    division.appendChild(none);
    cfg.divisions.forEach(function (d) {
      var o = el('option', null, d[1]);
      o.value = d[0];
      division.appendChild(o);
    });
    Y.loadReference().then(function (ref) {
      state.ref = ref;
      var cat = $('rp-category');
      (ref.categories || []).forEach(function (c) {
        var o = el('option', null, Y.zh ? c.zh : c.en);
        o.value = c.value;
        cat.appendChild(o);
      });
      cat.value = 'accident';
      fillTypes();
      gradeSoon();
    }).catch(function (err) { $('rp-error').textContent = Y.errorText(err); $('rp-error').hidden = false; });
    $('rp-category').addEventListener('change', function () { fillTypes(); gradeSoon(); });
    $('rp-type').addEventListener('change', gradeSoon);
    form.querySelectorAll('[data-figure]').forEach(function (input) { input.addEventListener('input', gradeSoon); });
    form.addEventListener('submit', submit);
    form.addEventListener('reset', function () {
      setTimeout(function () {
        point = null;
        if (pick) { map.removeLayer(pick); pick = null; }
        $('rp-point').textContent = T('f.no_point');
        fillTypes();
        resetForm();
      }, 0);
    });
    resetForm();
  }

  if (form) initForm();
  loadDuty();
  Promise.all([loadDispatches().catch(function () {}), loadTasks().catch(function () {})]).then(function () {
    return loadIncidents();
  }).catch(function (err) {
    $('incident-empty').hidden = false;
    $('incident-empty').textContent = Y.errorText(err);
  });

  window.yingjiIncidents = {state: state, map: map, situation: situation, refresh: refresh};
})();
