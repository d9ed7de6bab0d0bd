/* 督办考核: the day picker, the monthly report links, the print button and the charts (ECharts,
   vendored in /static/vendor/echarts/). Data come from <script type="application/json" id="sv-chart-data">. */
(function () {
  'use strict';

  // --- the day under review: reload the page for the chosen day ---------------------------------
  var asof = document.getElementById('sv-asof');
  if (asof) {
    var input = asof.querySelector('input[name="as_of"]');
    var timer = null;
    input.addEventListener('change', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var m = /^(\d{4})-\d{2}-\d{2}$/.exec(input.value);
        if (m && +m[1] >= 1900 && +m[1] <= 2100) asof.submit();
      }, 400);
    });
  }

  // --- the monthly report: links follow the chosen month ------------------------------------------
  var report = document.getElementById('sv-report');
  if (report) {
    var month = report.querySelector('input[type="month"]');
    var sync = function () {
      if (!/^\d{4}-\d{2}$/.test(month.value)) return;
      report.querySelectorAll('a[data-format]').forEach(function (a) {
        a.href = report.getAttribute('data-url') + '?month=' + encodeURIComponent(month.value) +
          '&format=' + a.getAttribute('data-format');
      });
    };
    month.addEventListener('change', sync);
    month.addEventListener('input', sync);
  }

  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  // --- charts ----------------------------------------------------------------------------------------
  var dataEl = document.getElementById('sv-chart-data');
  if (!dataEl || !window.echarts) return;
  var data = JSON.parse(dataEl.textContent);
  var charts = {};
  window.yingjiSupervision = { charts: charts, data: data };

  function make(el) {
    var chart = window.echarts.init(el, null, { renderer: 'svg' });
    charts[el.id || (el.getAttribute('data-chart') + '-' + (el.getAttribute('data-index') || ''))] = chart;
    return chart;
  }
  function done(el) { el.setAttribute('data-ready', 'true'); }
  function go(url, params) {
    var u = new URL(url, window.location.origin);
    Object.keys(params || {}).forEach(function (k) { u.searchParams.set(k, params[k]); });
    window.location.href = u.pathname + u.search;
  }
  function nice(x) {  // a round axis end a little above x: 440 → 450, 660 → 700
    if (!(x > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    return Math.ceil((x / p) * 2) / 2 * p;
  }
  function fmt(v) {  // 80 → 80, 50.765 → 50.8, 0.0105 → 0.011
    if (v === null || v === undefined) return '—';
    if (Math.abs(v - Math.round(v)) < 1e-9) return String(Math.round(v));
    return String(Math.abs(v) >= 1 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000);
  }

  // tasks by status, stacked horizontal bars (sections, units); a click opens the tasks
  function stacked(el, block) {
    var chart = make(el);
    var series = data.statuses.map(function (s) {
      return {
        id: s.value, name: s.label, type: 'bar', stack: 'tasks', barMaxWidth: 22,
        itemStyle: { color: s.colour },
        label: { show: true, color: '#fff', fontSize: 11, formatter: function (p) { return p.value ? p.value : ''; } },
        emphasis: { focus: 'series' },
        data: block.counts[s.value]
      };
    });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category', inverse: true, data: block.categories, triggerEvent: true,
        axisLabel: { width: 190, overflow: 'truncate', fontSize: 12 }
      },
      series: series
    });
    chart.on('click', function (p) {
      if (p.componentType === 'yAxis') {  // a click on a section's or unit's name
        var i = block.categories.indexOf(p.value);
        if (i >= 0 && block.urls[i]) go(block.urls[i], {});
      } else if (block.urls[p.dataIndex]) {
        go(block.urls[p.dataIndex], { status: p.seriesId });
      }
    });
    done(el);
  }

  // one indicator by division: a bar per division, green when met, red when not; the target as a line
  function divisionChart(el, c) {
    var chart = make(el);
    var bars = c.values.map(function (v, i) {
      var met = c.met[i];
      return { value: v, itemStyle: { color: met === true ? '#2ca02c' : met === false ? '#d62728' : '#4b74b8' } };
    });
    var series = {
      type: 'bar', data: bars, barMaxWidth: 36,
      label: { show: true, position: 'top', fontSize: 11, formatter: function (p) { return fmt(p.value); } }
    };
    if (c.target !== null && c.target !== undefined) {
      series.markLine = {
        symbol: 'none', silent: true, lineStyle: { color: '#111', type: 'dashed' },
        label: { formatter: data.texts.target + '\n' + fmt(c.target), position: 'end', fontSize: 11 },
        data: [{ yAxis: c.target }]
      };
    }
    var top = Math.max.apply(null, c.values.filter(function (v) { return v !== null; }).concat([0]));
    var yAxis = { type: 'value' };
    if (c.target !== null && c.target !== undefined && c.target * 1.05 > top) yAxis.max = nice(c.target * 1.08);
    chart.setOption({
      animation: false,
      title: { text: c.title, subtext: c.target_text, left: 8, top: 4, textStyle: { fontSize: 13 }, subtextStyle: { fontSize: 11 } },
      grid: { left: 8, right: 44, top: 58, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' },
        valueFormatter: function (v) { return fmt(v) + (c.unit ? ' ' + c.unit : ''); } },
      xAxis: { type: 'category', data: c.categories, axisLabel: { interval: 0, fontSize: 11, rotate: c.categories.length > 6 ? 30 : 0 } },
      yAxis: yAxis,
      series: [series]
    });
    done(el);
  }

  // the history's value axis reaches the target, with round ends
  function historyAxis(h) {
    var vals = h.values.filter(function (v) { return v !== null; });
    if (h.target !== null && h.target !== undefined) vals.push(h.target);
    var axis = { type: 'value', name: h.unit, scale: true };
    if (!vals.length) return axis;
    var hi = Math.max.apply(null, vals), lo = Math.min.apply(null, vals);
    if (hi > 0) axis.max = nice(hi * 1.05);
    if (lo >= 0) axis.min = 0;
    return axis;
  }

  // an indicator's history: values over time, the target as a line
  function historyChart(el, h) {
    var chart = make(el);
    var series = {
      type: 'line', name: h.title, data: h.values, connectNulls: false, symbolSize: 7,
      lineStyle: { width: 2, color: '#1d4ed8' }, itemStyle: { color: '#1d4ed8' }
    };
    if (h.target !== null && h.target !== undefined) {
      series.markLine = {
        symbol: 'none', silent: true, lineStyle: { color: '#d62728', type: 'dashed' },
        label: { formatter: h.texts.target + ' ' + fmt(h.target), position: 'insideEndTop' },
        data: [{ yAxis: h.target }]
      };
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmt(v) + (h.unit ? ' ' + h.unit : ''); } },
      xAxis: { type: 'category', data: h.dates, boundaryGap: false },
      yAxis: historyAxis(h),
      series: [series]
    });
    done(el);
  }

  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var kind = el.getAttribute('data-chart');
    if (kind === 'sections' && data.sections) stacked(el, data.sections);
    else if (kind === 'units' && data.units) stacked(el, data.units);
    else if (kind === 'division' && data.divisions) divisionChart(el, data.divisions[+el.getAttribute('data-index')]);
    else if (kind === 'history' && data.history) historyChart(el, data.history);
  });

  function resize() { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); }
  window.addEventListener('resize', resize);
  window.addEventListener('beforeprint', resize);
  window.addEventListener('afterprint', resize);
})();
