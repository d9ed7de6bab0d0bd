/* Command and dispatch (指挥调度): what the incident board and the incident workspace share — the
   JSON API with the session cookie and X-CSRF-Token, texts and enum labels from the page's config,
   times in the city's time zone, error messages in the page language, the live event stream
   (EventSource on /api/v1/events) and the base map. Plain JavaScript, Leaflet 1.9, no CDN. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('inc-config').textContent);
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var lang = cfg.lang || 'zh-CN';
  var zh = lang.indexOf('zh') === 0;
  var LEVEL_ORDER = {I: 0, II: 1, III: 2, IV: 3};

  /* ---- texts ----------------------------------------------------------------------------- */
  function T(key, params) {
    var text = cfg.i18n[key];
    if (text === undefined) text = key;
    if (params) {
      Object.keys(params).forEach(function (k) { text = text.split('{' + k + '}').join(String(params[k])); });
    }
    return text;
  }

  function label(name, value) {
    var e = (cfg.enums[name] || {})[value];
    return e ? e.label : (value === null || value === undefined ? '—' : String(value));
  }

  function colour(name, value) {
    var e = (cfg.enums[name] || {})[value];
    return e && e.colour ? e.colour : '';
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

  function $(id) { return document.getElementById(id); }

  function say(box, text, state) {
    if (!box) return;
    box.textContent = text || '';
    box.setAttribute('data-state', state || 'info');
  }

  /* ---- the API --------------------------------------------------------------------------- */
  function ApiError(status, detail, body) { this.status = status; this.detail = detail; this.body = body; }

  function request(method, url, body) {
    var headers = {'Accept': 'application/json'};
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, {
      method: method, credentials: 'same-origin', headers: headers,
      body: body !== undefined ? JSON.stringify(body) : undefined
    }).catch(function () { throw new ApiError(0, '', null); }).then(function (r) {
      if (r.status === 401) {
        window.location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
      }
      if (r.status === 204) return null;
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) throw new ApiError(r.status, data && data.detail, data);
        return data;
      });
    });
  }

  function get(url) { return request('GET', url); }
  function post(url, body) { return request('POST', url, body === undefined ? {} : body); }

  function query(params) {
    return Object.keys(params).filter(function (k) {
      return params[k] !== null && params[k] !== undefined && params[k] !== '';
    }).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
  }

  /* ---- times in the city's time zone ---------------------------------------------------------- */
  var tz = cfg.timezone || 'Asia/Shanghai';
  var locale = zh ? 'zh-CN' : 'en-GB';
  var shortFmt = new Intl.DateTimeFormat(locale, {timeZone: tz, month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false});
  var clockFmt = new Intl.DateTimeFormat(locale, {timeZone: tz, hour: '2-digit', minute: '2-digit', hour12: false});
  var partsFmt = new Intl.DateTimeFormat('en-US', {timeZone: tz, hourCycle: 'h23', year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});

  function toDate(iso) { var d = iso instanceof Date ? iso : new Date(iso); return isNaN(d.getTime()) ? null : d; }
  function fmtTime(iso) { var d = toDate(iso); return d ? shortFmt.format(d) : '—'; }
  function fmtClock(iso) {
    var d = toDate(iso);
    if (!d) return '—';
    return Math.abs(Date.now() - d.getTime()) < 20 * 3600 * 1000 ? clockFmt.format(d) : shortFmt.format(d);
  }

  function fmtDuration(ms) {
    var m = Math.max(0, Math.round(ms / 60000));
    if (m < 60) return T('dur.min', {m: m});
    var h = Math.floor(m / 60);
    if (h < 48) return T('dur.h_min', {h: h, m: m % 60});
    return T('dur.d_h', {d: Math.floor(h / 24), h: h % 24});
  }

  function ago(iso) {
    var d = toDate(iso);
    if (!d) return '';
    var ms = Date.now() - d.getTime();
    return ms < 60000 ? T('dur.just_now') : T('dur.ago', {d: fmtDuration(ms)});
  }

  function zoneParts(date) {
    var out = {};
    partsFmt.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }

  function zoneOffset(ms) {
    var p = zoneParts(new Date(ms));
    var asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    return asUtc - Math.floor(ms / 1000) * 1000;
  }

  /* A datetime-local value ("2024-05-01T14:30") for this moment, as the clock on the wall reads in the city. */
  function toInput(date) {
    var p = zoneParts(date || new Date());
    return p.year + '-' + p.month + '-' + p.day + 'T' + (p.hour === '24' ? '00' : p.hour) + ':' + p.minute;
  }

  /* The UTC instant (ISO) of a datetime-local value read as the city's wall-clock time; null if invalid. */
  function fromInput(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value || '');
    if (!m) return null;
    var guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    var off = zoneOffset(guess);
    var t = guess - off;
    var off2 = zoneOffset(t);
    if (off2 !== off) t = guess - off2;
    return new Date(t).toISOString();
  }

  /* ---- numbers ---------------------------------------------------------------------------------- */
  function fmtMin(seconds) { var m = seconds / 60; return m < 10 ? m.toFixed(1) : String(Math.round(m)); }
  function fmtKm(metres) { return (metres / 1000).toFixed(metres < 10000 ? 2 : 1); }
  function fmtInt(v) { return Math.round(v).toLocaleString(zh ? 'zh-CN' : 'en'); }

  /* ---- errors in the page language ------------------------------------------------------------ */
  function detailText(detail) {
    if (!detail) return '';
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail.map(function (d) {
        if (!d || !d.msg) return JSON.stringify(d);
        var loc = (d.loc || []).filter(function (p) { return p !== 'body' && p !== 'query'; }).join('.');
        return (loc ? loc + ': ' : '') + d.msg;
      }).join('; ');
    }
    return String(detail);
  }

  function namesIn(text) {
    var out = [];
    var re = /\(([^()]+)\)/g;
    var m;
    while ((m = re.exec(text)) !== null) out.push(m[1]);
    return out.length ? out.join(zh ? '、' : ', ') : text;
  }

  function statusList(values) {
    if (!values || !values.length) return T('tr.final');
    return values.map(function (s) { return label('status', s); }).join(zh ? '、' : ', ');
  }

  function fieldMessage(d) {
    var type = d.type || '';
    if (type === 'missing') return T('v.required');
    if (/greater_than_equal/.test(type)) return T('v.not_negative');
    if (/int_parsing|int_from_float|int_type/.test(type)) return T('v.whole_number');
    if (/float_parsing|float_type|finite_number/.test(type)) return T('v.number');
    if (/string_too_short/.test(type)) return T('v.required');
    if (/string_too_long/.test(type)) return T('v.too_long');
    if (/less_than_equal/.test(type)) return T('v.too_large');
    if (/datetime/.test(type)) return T('v.datetime');
    if (/string_pattern_mismatch/.test(type)) return T('v.format');
    var msg = d.msg || '';
    if (/lies in the future/.test(msg)) return T('v.future');
    if (/reported_at must not be before occurred_at/.test(msg)) return T('v.reported_before_occurred');
    if (/^required|required to|required when/.test(msg)) return T('v.required');
    return msg;
  }

  /* Field errors of a 422 answer: {field: message}; "__all__" for what names no field. */
  function fieldErrors(err) {
    var out = {};
    if (!(err instanceof ApiError) || err.status !== 422 || !Array.isArray(err.detail)) return out;
    err.detail.forEach(function (d) {
      var loc = (d.loc || []).filter(function (p) { return p !== 'body' && p !== 'query'; });
      var field = loc.length ? String(loc[0]) : '__all__';
      var msg = fieldMessage(d);
      if (field === '__all__' && /reported_at must not be before/.test(d.msg || '')) field = 'reported_at';
      out[field] = out[field] ? out[field] + '; ' + msg : msg;
    });
    return out;
  }

  function errorText(err) {
    if (!(err instanceof ApiError)) return T('err.generic', {status: 'JS', message: (err && err.message) || String(err)});
    if (err.status === 0) return T('err.offline');
    var body = err.body || {};
    var msg = detailText(err.detail);
    var m;
    if (err.status === 409 && body.allowed !== undefined && body.requested) {
      return T('err.transition', {from: label('status', body.current), to: label('status', body.requested),
        allowed: statusList(body.allowed)});
    }
    if (err.status === 403) return T('err.forbidden');
    if (err.status === 404) return T('err.not_found');
    if (err.status === 409) {
      if ((m = /release the resources still dispatched first: (.*)$/.exec(msg))) return T('err.release_first', {names: namesIn(m[1])});
      if ((m = /already dispatched to incident (\d+)/.exec(msg))) return T('err.already_dispatched', {id: m[1]});
      if (/dispatched to another incident at the same moment|another dispatch was being written/.test(msg)) return T('err.dispatch_race');
      if (/off duty/.test(msg)) return T('err.off_duty');
      if (/is unavailable|is marked \w+ in the registry/.test(msg)) return T('err.unavailable');
      if (/verify it before activating a plan/.test(msg)) return T('err.verify_first');
      if (/already activated at response level/.test(msg)) return T('err.already_activated');
      if (/send the initial report before/.test(msg)) return T('err.initial_first');
      if (/an initial \w+ report exists/.test(msg)) return T('err.initial_exists');
      if (/a final report follows the end of the response/.test(msg)) return T('err.final_after_response');
      if (/a final report exists/.test(msg)) return T('err.final_exists');
      if ((m = /dispatch \d+ cannot go from (\w+) to (\w+)/.exec(msg))) {
        return T('err.dispatch_step', {from: label('dispatchStatus', m[1]), to: label('dispatchStatus', m[2])});
      }
      if (/no longer possible|nothing can be dispatched|no plan can be activated/.test(msg)) return T('err.final_incident');
    }
    if (err.status === 422) {
      if (/reason/.test(msg) && /required/.test(msg)) return T('err.reason_required');
      var fields = fieldErrors(err);
      var parts = Object.keys(fields).map(function (k) {
        return (k === '__all__' ? '' : (cfg.i18n['f.' + k] || k) + T('sep.colon')) + fields[k];
      });
      return T('err.invalid', {message: parts.join(zh ? '；' : '; ') || msg});
    }
    return T('err.generic', {status: err.status, message: msg || '—'});
  }

  /* ---- refreshing: coalesce bursts of events, never run a loader twice at once --------------------- */
  var refresher = window.yjRefresher;  // static/js/refresher.js

  /* ---- live events (server-sent events) ---------------------------------------------------------- */
  var TOPICS = ['incident', 'task', 'dispatch', 'report', 'consultation'];

  function live(params, onEvent) {
    var box = $('live');
    function set(state) {
      if (!box) return;
      box.setAttribute('data-live', state);
      box.textContent = T('live.' + state);
    }
    if (typeof window.EventSource !== 'function') { set('off'); return null; }
    var es = new EventSource('/api/v1/events' + (params ? '?' + params : ''));
    var opened = false;
    es.onopen = function () {
      set('on');
      if (opened) onEvent(null);  /* back after a break: what was missed is loaded again */
      opened = true;
    };
    es.onerror = function () { set(es.readyState === 2 ? 'off' : 'connecting'); };
    TOPICS.forEach(function (topic) {
      es.addEventListener(topic, function (e) {
        var data = null;
        try { data = JSON.parse(e.data); } catch (x) { return; }
        live.received += 1;
        onEvent(data);
      });
    });
    window.addEventListener('pagehide', function () { es.close(); });
    return es;
  }
  live.received = 0;

  /* ---- the map ------------------------------------------------------------------------------------ */
  function loadBoundaries() {
    return cfg.can.divisions ? window.yjBoundaries.load() : Promise.resolve([]);
  }

  function baseMap(elem, options) {
    var opts = options || {};
    var map = L.map(elem, {zoomControl: true, attributionControl: !!cfg.tileUrl});
    map.setView(opts.centre || cfg.centre, opts.zoom || cfg.zoom);
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, {maxZoom: 19, attribution: esc(cfg.tileAttribution || '')}).addTo(map);
    } else {
      elem.classList.add('offline');
    }
    L.control.scale({imperial: false}).addTo(map);
    if (cfg.can.divisions) {
      window.yjBoundaries(map, {names: cfg.divisionNames, labels: !cfg.tileUrl, pane: 'incBoundaries'});
    }
    return map;
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

  /* The most specific division in the user's scope whose boundary holds the point (or null). */
  function guessDivision(lon, lat) {
    var scope = {};
    cfg.divisions.forEach(function (d) { scope[d[0]] = true; });
    return loadBoundaries().then(function (features) {
      var rank = {township: 0, county: 1, city: 2, province: 3};
      var hits = features.filter(function (f) {
        return scope[String(f.id)] && contains(f.geometry, lon, lat);
      }).sort(function (a, b) {
        var la = rank[(a.properties || {}).level], lb = rank[(b.properties || {}).level];
        return (la === undefined ? 9 : la) - (lb === undefined ? 9 : lb);
      });
      return hits.length ? String(hits[0].id) : null;
    });
  }

  /* ---- shared pieces of the pages ------------------------------------------------------------------- */
  function levelBadge(level, suggested) {
    var span = el('span', 'inc-lvl lvl-' + (level || 'none') + (suggested ? ' inc-lvl-suggested' : ''));
    span.setAttribute('data-level', level || '');
    span.textContent = level ? level + ' ' + label('level', level) : T('lv.none');
    if (suggested && level) span.title = T('lv.suggested_tip');
    return span;
  }

  function chip(enumName, value, extraClass) {
    var span = el('span', 'inc-chip' + (extraClass ? ' ' + extraClass : ''), label(enumName, value));
    var c = colour(enumName, value);
    if (c) span.style.setProperty('--chip', c);
    span.setAttribute('data-value', value || '');
    return span;
  }

  var FIGURES = ['dead', 'injured', 'seriously_injured', 'missing', 'trapped'];

  function figuresText(inc) {
    var parts = [];
    FIGURES.forEach(function (k) { if (inc[k]) parts.push(T('fig.' + k) + ' ' + fmtInt(inc[k])); });
    if (inc.direct_loss_wan !== null && inc.direct_loss_wan !== undefined) {
      parts.push(T('fig.loss_value', {v: inc.direct_loss_wan}));
    }
    if (inc.affected_people) parts.push(T('fig.affected_people') + ' ' + fmtInt(inc.affected_people));
    return parts.length ? parts.join(' · ') : T('fig.none');
  }

  function levelRank(level) { var r = LEVEL_ORDER[level]; return r === undefined ? 9 : r; }

  function levelColour(level) { return colour('level', level) || '#6b7280'; }

  function incidentMarker(inc, radius) {
    var level = inc.effective_level || inc.level || inc.suggested_level;
    return L.circleMarker([inc.lat, inc.lon], {
      radius: radius || 9, weight: 2.5, color: '#ffffff', opacity: 1, fillColor: levelColour(level),
      fillOpacity: 0.95, className: 'yj-inc-marker lvl-' + (level || 'none'), bubblingMouseEvents: false
    });
  }

  /* Report deadlines as badges: due, overdue or done, per kind and channel. */
  function scheduleBadges(schedule) {
    var out = [];
    ((schedule && schedule.items) || []).forEach(function (item) {
      var name = label('reportKind', item.kind) + (item.channel ? T('rep.channel_short', {c: label('reportChannel', item.channel)}) : '');
      var badge = el('span', 'inc-badge');
      var state;
      if (item.done_at) {
        state = item.late ? 'late' : 'done';
        badge.textContent = T(item.late ? 'rep.badge_late' : 'rep.badge_done', {name: name});
        badge.title = fmtTime(item.done_at);
      } else if (item.overdue) {
        state = 'overdue';
        badge.textContent = T('rep.badge_overdue', {name: name, d: fmtDuration(Date.now() - toDate(item.due_at).getTime())});
        badge.title = T('rep.due_at', {time: fmtTime(item.due_at)});
      } else if (item.due_at) {
        state = 'due';
        badge.textContent = T('rep.badge_due', {name: name, time: fmtClock(item.due_at)});
        badge.title = T('rep.due_in', {d: fmtDuration(toDate(item.due_at).getTime() - Date.now())});
      } else {
        state = 'open';
        badge.textContent = name;
      }
      badge.classList.add('inc-badge-' + state);
      badge.setAttribute('data-report-kind', item.kind);
      badge.setAttribute('data-channel', item.channel || '');
      badge.setAttribute('data-state', state);
      out.push(badge);
    });
    return out;
  }

  /* Types and categories in force (/api/v1/incidents/reference), loaded once. */
  var reference = null;
  function loadReference() {
    if (!reference) {
      reference = get('/api/v1/incidents/reference').then(function (ref) {
        var types = {};
        (ref.categories || []).forEach(function (c) {
          (c.types || []).forEach(function (t) { types[t.value] = {zh: t.zh, en: t.en, category: c.value}; });
        });
        ref.typeIndex = types;
        return ref;
      });
    }
    return reference;
  }

  function typeLabel(ref, value) {
    var t = ref && ref.typeIndex ? ref.typeIndex[value] : null;
    return t ? (zh ? t.zh : t.en) : value;
  }

  function divisionName(code) { return cfg.divisionNames[code] || code || '—'; }

  function assigneeText(task) {
    if (task.assignee_type === 'unit') return cfg.units[String(task.unit_id)] || T('task.unit_n', {id: task.unit_id});
    if (task.assignee_type === 'team') return cfg.teams[String(task.team_id)] || T('task.team_n', {id: task.team_id});
    return T('task.person_n', {id: task.assignee_user_id});
  }

  window.YJInc = {
    cfg: cfg, lang: lang, zh: zh, T: T, label: label, colour: colour, esc: esc, el: el, $: $, say: say,
    ApiError: ApiError, request: request, get: get, post: post, query: query,
    fmtTime: fmtTime, fmtClock: fmtClock, fmtDuration: fmtDuration, ago: ago, toInput: toInput, fromInput: fromInput,
    toDate: toDate, fmtMin: fmtMin, fmtKm: fmtKm, fmtInt: fmtInt,
    errorText: errorText, fieldErrors: fieldErrors, refresher: refresher, live: live,
    baseMap: baseMap, guessDivision: guessDivision, levelBadge: levelBadge, chip: chip, figuresText: figuresText,
    levelRank: levelRank, levelColour: levelColour, incidentMarker: incidentMarker, scheduleBadges: scheduleBadges,
    loadReference: loadReference, typeLabel: typeLabel, divisionName: divisionName, assigneeText: assigneeText
  };
})();
