/* 督办考核 forms: report progress on a task (with an evidence file), confirm or return a report, enter a
   value of a reported indicator. They call the JSON API (/api/v1/supervision/…) with the session cookie
   and X-CSRF-Token; the API decides who may do what, and its 4xx messages are shown beside the fields
   (translated when known, with the API's own words). Config: <script type="application/json" id="sv-form-config">. */
(function () {
  'use strict';
  var cfgEl = document.getElementById('sv-form-config');
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var M = cfg.messages;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';

  function T(key, params) {
    var s = M.texts[key] || key;
    Object.keys(params || {}).forEach(function (k) { s = s.split('{' + k + '}').join(String(params[k])); });
    return s;
  }

  function known(message) {
    for (var i = 0; i < M.known.length; i++) {
      if (new RegExp(M.known[i][0], 'i').test(message || '')) return M.known[i][1];
    }
    return null;
  }

  function pydantic(err) {
    var tpl = M.types[err.type];
    if (!tpl) return known(err.msg) || err.msg;
    var m = /(-?\d+(?:\.\d+)?)\D*$/.exec(err.msg || '');  // the limit, if any, is the message's last number
    return tpl.split('{limit}').join(m ? m[1] : '');
  }

  function generic(status) {
    var key = { 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'too_large', 422: 'invalid' }[status];
    return key ? T(key) : T('error', { status: status });
  }

  function clear(form) {
    form.querySelectorAll('[data-error-for]').forEach(function (p) { p.hidden = true; p.textContent = ''; });
    form.querySelectorAll('.has-error').forEach(function (el) { el.classList.remove('has-error'); });
  }

  function show(form, field, message, raw, status) {
    var slot = form.querySelector('[data-error-for="' + field + '"]') || form.querySelector('[data-error-for="__all__"]');
    if (!slot) return;
    if (slot.childNodes.length) slot.appendChild(document.createTextNode('；'));
    var msg = document.createElement('span');
    msg.className = 'sv-msg';
    msg.textContent = message;
    slot.appendChild(msg);
    if (raw && raw !== message) {
      var api = document.createElement('span');
      api.className = 'sv-api-msg';
      api.setAttribute('data-api-status', String(status));
      api.textContent = '（' + status + ' · ' + T('api') + '：' + raw + '）';
      slot.appendChild(api);
    }
    slot.hidden = false;
    var box = slot.closest('.field');
    if (box) box.classList.add('has-error');
  }

  function fieldOf(loc) {
    var parts = (loc || []).slice();
    if (parts[0] === 'body') parts.shift();
    return parts.length ? String(parts[0]) : '__all__';
  }

  function showErrors(form, status, body) {
    var detail = body && body.detail;
    if (status === 422 && Array.isArray(detail)) {
      detail.forEach(function (e) {
        var message = e.type === 'value_error' ? (known(e.msg) || e.msg) : pydantic(e);
        show(form, fieldOf(e.loc), message, e.msg, status);
      });
      return;
    }
    var raw = typeof detail === 'string' ? detail : (body ? JSON.stringify(body) : '');
    var field = '__all__';
    var m = /^(\w+): (.+)$/.exec(raw);
    if (m && form.querySelector('[data-error-for="' + m[1] + '"]')) field = m[1];
    show(form, field, known(raw) || generic(status), raw, status);
  }

  function send(method, url, payload) {
    var headers = { 'Accept': 'application/json', 'X-CSRF-Token': csrf };
    var body = payload;
    if (!(payload instanceof FormData)) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(payload || {});
    }
    return fetch(url, { method: method, credentials: 'same-origin', headers: headers, body: body })
      .then(function (r) {
        return r.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text.slice(0, 300) }; }
          return { status: r.status, ok: r.ok, body: data };
        });
      });
  }

  function busy(form, on) {
    form.setAttribute('data-busy', on ? 'true' : 'false');
    form.querySelectorAll('button').forEach(function (b) { b.disabled = on; });
  }

  function offline(form) { show(form, '__all__', T('offline'), '', 0); busy(form, false); }

  function reload(done, anchor) {
    var u = new URL(window.location.href);
    u.searchParams.set('done', done);
    window.location.href = u.pathname + u.search + (anchor ? '#' + anchor : '');
  }

  function number(raw) {
    var v = raw.trim();
    if (v === '') return undefined;
    var n = Number(v);
    return isNaN(n) ? v : n;
  }

  // --- report progress ------------------------------------------------------------------------------
  var reportForm = document.getElementById('sv-report-form');
  if (reportForm) {
    reportForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = reportForm;
      clear(f);
      var payload = {};
      var percent = number(f.elements.percent.value);
      if (percent !== undefined) payload.percent = percent;
      if (f.elements.narrative.value.trim()) payload.narrative = f.elements.narrative.value;
      if (f.elements.reported_on.value) payload.reported_on = f.elements.reported_on.value;
      payload.milestones_done = Array.prototype.map.call(
        f.querySelectorAll('input[name="milestones_done"]:checked'), function (c) { return Number(c.value); });
      if (f.elements.unit_id && f.elements.unit_id.value) payload.unit_id = Number(f.elements.unit_id.value);
      var file = f.elements.file && f.elements.file.files.length ? f.elements.file.files[0] : null;
      busy(f, true);
      send('POST', cfg.api + '/tasks/' + cfg.task_id + '/progress', payload).then(function (r) {
        if (!r.ok) { showErrors(f, r.status, r.body); busy(f, false); return; }
        var id = r.body.id;
        if (!file) { reload('reported', 'report-' + id); return; }
        var data = new FormData();
        data.append('file', file, file.name);
        return send('POST', cfg.api + '/progress/' + id + '/evidence', data).then(function (u) {
          if (u.ok) { reload('reported', 'report-' + id); return; }
          var raw = u.body && typeof u.body.detail === 'string' ? u.body.detail
            : (u.body && Array.isArray(u.body.detail) ? u.body.detail.map(function (e) { return e.msg; }).join('; ') : '');
          show(f, 'file', T('file_failed') + (known(raw) || generic(u.status)), raw, u.status);
          f.querySelectorAll('input, textarea, select').forEach(function (el) { el.disabled = true; });
          f.setAttribute('data-saved', String(id));
        });
      }).catch(function () { offline(f); });
    });
  }

  // --- confirm or return a report (a lead unit) -------------------------------------------------------
  document.querySelectorAll('form.sv-review').forEach(function (f) {
    f.addEventListener('submit', function (ev) { ev.preventDefault(); });
    f.querySelectorAll('button[data-action]').forEach(function (button) {
      button.addEventListener('click', function () {
        var action = button.getAttribute('data-action');
        var id = f.getAttribute('data-report-id');
        var note = f.elements.note.value.trim();
        clear(f);
        busy(f, true);
        send('POST', cfg.api + '/progress/' + id + '/' + action, note ? { note: note } : {}).then(function (r) {
          if (r.ok) { reload(action === 'confirm' ? 'confirmed' : 'returned', 'report-' + id); return; }
          showErrors(f, r.status, r.body);
          busy(f, false);
        }).catch(function () { offline(f); });
      });
    });
  });

  // --- a value of a reported indicator ------------------------------------------------------------------
  var valueForm = document.getElementById('sv-value-form');
  if (valueForm) {
    valueForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = valueForm;
      clear(f);
      var payload = {};
      var value = number(f.elements.value.value);
      if (value !== undefined) payload.value = value;
      if (f.elements.on_date.value) payload.on_date = f.elements.on_date.value;
      if (f.elements.source.value.trim()) payload.source = f.elements.source.value;
      if (f.elements.note.value.trim()) payload.note = f.elements.note.value;
      busy(f, true);
      send('POST', cfg.api + '/indicators/' + encodeURIComponent(cfg.indicator) + '/values', payload).then(function (r) {
        if (r.ok) { reload('value'); return; }
        showErrors(f, r.status, r.body);
        busy(f, false);
      }).catch(function () { offline(f); });
    });
  }
})();
