// scalelab report.html: draws the charts described by the JSON in #report-data with uPlot (inlined
// before this script). Plain browser JavaScript, no network, no modules. Every time chart shares the
// x axis (seconds since the run's start) and one cursor; the distribution charts use a "nines" axis.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('report-data').textContent);
  var charts = {};
  window.scalelabReport = { charts: charts };

  var NINES_LABELS = ['0', '90', '99', '99.9', '99.99', '99.999'];
  function ninesLabel(x) {
    var p = 100 * (1 - Math.pow(10, -x));
    return 'p' + (Math.round(p * 1000) / 1000);
  }
  function fmtValue(v) {
    if (v == null) return '—';
    return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  }

  // Scaling activities as shaded spans from start to end, under the series.
  function drawBands(u, spec) {
    var ctx = u.ctx;
    var top = u.bbox.top, height = u.bbox.height;
    ctx.save();
    (spec.bands || []).forEach(function (b) {
      var x0 = Math.max(u.valToPos(b.startS, 'x', true), u.bbox.left);
      var x1 = Math.min(u.valToPos(b.endS, 'x', true), u.bbox.left + u.bbox.width);
      if (x1 < x0) return;
      ctx.fillStyle = b.color;
      ctx.fillRect(x0, top, Math.max(x1 - x0, 2 * uPlot.pxRatio), height);
    });
    ctx.restore();
  }

  // Alarm transitions as a dashed vertical line with a triangle at the top, over the series.
  function drawMarkers(u, spec) {
    var ctx = u.ctx;
    var r = uPlot.pxRatio;
    var top = u.bbox.top, bottom = u.bbox.top + u.bbox.height;
    ctx.save();
    (spec.markers || []).forEach(function (m) {
      var x = Math.round(u.valToPos(m.xS, 'x', true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 1.5 * r;
      ctx.setLineDash([4 * r, 3 * r]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(x - 6 * r, top);
      ctx.lineTo(x + 6 * r, top);
      ctx.lineTo(x, top + 9 * r);
      ctx.closePath();
      ctx.fill();
    });
    ctx.restore();
  }

  function options(spec, width, logY) {
    var time = spec.xKind === 'time';
    var stepped = uPlot.paths.stepped({ align: 1 });
    var series = [{
      label: time ? 'time (s)' : 'percentile',
      value: function (u, v) { return v == null ? '—' : time ? v.toFixed(1) + ' s' : ninesLabel(v); },
    }];
    spec.series.forEach(function (s) {
      var opt = {
        label: s.label,
        stroke: s.color,
        width: 2,
        scale: s.right ? 'y2' : 'y',
        spanGaps: !!s.spanGaps,
        points: { show: false },
        value: function (u, v) { return fmtValue(v); },
      };
      if (s.dash) opt.dash = s.dash;
      if (s.step) opt.paths = stepped;
      series.push(opt);
    });
    var axes = [
      time
        ? { label: 'seconds since the run started' }
        : {
            label: 'percentile',
            splits: function (u) {
              var out = [];
              for (var i = Math.ceil(u.scales.x.min); i <= u.scales.x.max; i++) out.push(i);
              return out;
            },
            values: function (u, splits) { return splits.map(function (x) { return NINES_LABELS[x] || ninesLabel(x); }); },
          },
      { label: spec.yLabel, scale: 'y', size: 60 },
    ];
    var right = spec.y2Label && spec.series.some(function (s) { return s.right; });
    if (right) axes.push({ label: spec.y2Label, scale: 'y2', side: 1, grid: { show: false }, size: 60 });
    var scales = { x: { time: false }, y: logY ? { distr: 3 } : { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.05 : 1]; } } };
    if (time) scales.x.range = function () { return [0, model.durationS]; };
    if (right) scales.y2 = { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.05 : 1]; } };
    return {
      width: width,
      height: 260,
      series: series,
      axes: axes,
      scales: scales,
      cursor: time ? { sync: { key: 'time' } } : {},
      legend: { live: true },
      hooks: {
        drawClear: [function (u) { drawBands(u, spec); }],
        draw: [function (u) { drawMarkers(u, spec); }],
      },
    };
  }

  function widthOf(el) {
    return Math.max(320, Math.floor(el.getBoundingClientRect().width));
  }

  function build(spec, el, logY) {
    if (charts[spec.id]) charts[spec.id].destroy();
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    charts[spec.id] = new uPlot(options(spec, widthOf(el), logY), data, el);
  }

  model.charts.forEach(function (spec) {
    var el = document.getElementById('chart-' + spec.id);
    if (!el || spec.empty) return;
    build(spec, el, false);
    var toggle = document.getElementById('log-' + spec.id);
    if (toggle) toggle.addEventListener('change', function () { build(spec, el, toggle.checked); });
  });

  var resizeTimer;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      model.charts.forEach(function (spec) {
        var u = charts[spec.id];
        var el = document.getElementById('chart-' + spec.id);
        if (u && el) u.setSize({ width: widthOf(el), height: 260 });
      });
    }, 100);
  });
})();
