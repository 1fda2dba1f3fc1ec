// What a chart element holds of its lazily loaded ECharts instance: update (data and colours), resize, dispose.
// Each chart module says only how its data becomes an option; this module is imported from those lazy chunks alone.
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';

export interface ChartHandle<Data, Colours> {
  update(data: Data, colours: Colours): void;
  resize(): void;
  dispose(): void;
}

/** Draws into `container` on a canvas; every update replaces the whole option built by `optionFor`. */
export function initChart<Data, Colours>(
  container: HTMLElement,
  optionFor: (data: Data, colours: Colours) => EChartsCoreOption,
): ChartHandle<Data, Colours> {
  const chart = echarts.init(container, undefined, { renderer: 'canvas' });
  return {
    // notMerge: the number of categories, series and samples changes between updates; a full replace keeps it
    // simple and cheap.
    update(data, colours) { chart.setOption(optionFor(data, colours), { notMerge: true, lazyUpdate: true }); },
    resize() { chart.resize(); },
    dispose() { chart.dispose(); },
  };
}
