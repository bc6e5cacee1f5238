// ECharts instances of the page shown, and the pieces every chart shares.

let charts = {};

export const RESIDUAL_COLORS = ['#1a9850', '#fee08b', '#d73027'];

export function disposeCharts() {
  Object.values(charts).forEach((c) => c.dispose());
  charts = {};
}

/** The chart in the element with this id, made on first use. */
export function chart(id, onClick) {
  if (!charts[id]) {
    charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
    if (onClick) charts[id].on('click', onClick);
  }
  return charts[id];
}

window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

/** The verdict bands (from /api/thresholds) behind a residual chart, up to {@code top}. */
export function bands(limits, top) {
  const v = limits.verdict;
  return {
    silent: true,
    data: [
      [{ yAxis: 0, itemStyle: { color: 'rgba(26,152,80,0.10)' } }, { yAxis: v.supported_below }],
      [{ yAxis: v.supported_below, itemStyle: { color: 'rgba(199,124,2,0.10)' } }, { yAxis: v.partially_supported_below }],
      [{ yAxis: v.partially_supported_below, itemStyle: { color: 'rgba(215,48,39,0.08)' } }, { yAxis: top }]]
  };
}

/** The colour of a residual's verdict band. */
export function residualColor(limits, r) {
  return r < limits.verdict.supported_below ? '#1a9850' : r < limits.verdict.partially_supported_below ? '#c77c02' : '#d73027';
}

/** A numeric checkpoint axis from the first kept checkpoint; integer ticks only. */
export function checkpointAxis(max) {
  return { type: 'value', min: 'dataMin', max, minInterval: 1, name: 'checkpoint', nameLocation: 'middle', nameGap: 26,
    axisLabel: { hideOverlap: true, formatter: (v) => String(v) } };
}

/** A y axis whose name runs along it, so it never meets a legend at the top. */
export function sideAxis(name, extra) {
  return Object.assign({ type: 'value', name, nameLocation: 'middle', nameGap: 40, nameTextStyle: { color: '#6b7385' } }, extra || {});
}

/** A residual colour scale under a heat map whose cells hold the residual at {@code dimension}. */
export function residualScale(dimension) {
  return { dimension, min: 0, max: 0.5, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, itemWidth: 12,
    inRange: { color: RESIDUAL_COLORS }, text: ['0.5+', 'residual 0'] };
}
