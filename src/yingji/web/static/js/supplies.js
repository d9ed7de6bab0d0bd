/* /supplies: the depot map with stock gauges and the gap chart (ECharts). */
(function () {
  'use strict';
  var S = window.Supplies;
  var map = S.makeMap(document.getElementById('map'));
  S.warehouseMarkers(map, true);

  var elem = document.getElementById('gap-chart');
  var chart = S.cfg.chart;
  if (!elem || !window.echarts || !chart.divisions.length) { if (elem) elem.hidden = true; return; }
  var cats = [], held = [];
  chart.divisions.forEach(function (d) {
    d.categories.forEach(function (c, k) {
      cats.push(chart.divisions.length > 1 ? d.name + '·' + c : c);
      held.push(d.share[k]);
    });
  });
  var ec = echarts.init(elem);
  ec.setOption({
    animation: false,
    tooltip: {trigger: 'axis', valueFormatter: function (v) { return v + '%'; }},
    legend: {data: [chart.heldLabel]},
    grid: {left: 50, right: 20, top: 30, bottom: 90},
    xAxis: {type: 'category', data: cats, axisLabel: {rotate: 40, interval: 0}},
    yAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value}%'}},
    series: [{name: chart.heldLabel, type: 'bar', data: held.map(function (v) {
      return {value: v, itemStyle: {color: v >= 100 ? '#2ca02c' : (v >= 60 ? '#e6a700' : '#d62728')}};
    }), markLine: {silent: true, symbol: 'none', data: [{yAxis: 100}], lineStyle: {type: 'dashed'}}}]
  });
  elem.setAttribute('data-ready', 'true');
  window.addEventListener('resize', function () { ec.resize(); });
})();
