// Draws the meter's accepted values over time with uPlot (served from node_modules). The data
// is in the figure's `data-series` attribute; the readings table carries it without script.
(() => {
  'use strict';

  const figure = document.getElementById('meter-chart');
  if (!figure || typeof window.uPlot !== 'function') return;

  const series = JSON.parse(figure.dataset.series);
  const canvas = figure.querySelector('.chart-canvas');
  figure.hidden = false;

  const size = () => ({ width: Math.max(240, canvas.clientWidth), height: window.innerWidth < 720 ? 220 : 320 });
  // Pages print times in UTC, so the chart does too, whatever the browser's time zone.
  const options = {
    ...size(),
    tzDate: (seconds) => window.uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    scales: { x: { time: true } },
    axes: [{ label: 'Time (UTC)' }, { label: series.unit, size: 70 }],
    series: [
      { label: 'Time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm} UTC' },
      { label: `Value (${series.unit})`, stroke: '#0b63ce', width: 2, points: { show: series.t.length <= 60 } },
    ],
  };
  const plot = new window.uPlot(options, [series.t, series.v], canvas);

  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => plot.setSize(size()));
  });
})();
