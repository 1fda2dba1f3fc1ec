// The ECharts side of <spark-line>: only echarts/core + LineChart + Grid + Canvas, so this module (and ECharts)
// lands in a lazily loaded chunk that the home screen fetches after its first paint.
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { initChart, type ChartHandle } from './echarts-handle.js';

echarts.use([LineChart, GridComponent, CanvasRenderer]);

/** Colours read from the page's CSS tokens, so the chart follows dark/light like everything else. */
export interface SparkColours { line: string; area: string }
export interface SparkData { values: number[]; min: number | null; max: number | null }

export type SparkChart = ChartHandle<SparkData, SparkColours>;

function optionFor(data: SparkData, colours: SparkColours) {
  return {
    animation: false,
    grid: { left: 1, right: 1, top: 2, bottom: 2 },
    xAxis: { type: 'category' as const, show: false, boundaryGap: false, data: data.values.map((_, i) => i) },
    yAxis: { type: 'value' as const, show: false, min: data.min ?? 'dataMin', max: data.max ?? 'dataMax' },
    series: [{
      type: 'line' as const, data: data.values, showSymbol: false, smooth: 0.3, silent: true,
      lineStyle: { width: 1.5, color: colours.line },
      areaStyle: { color: colours.area, opacity: 0.12 },
    }],
  };
}

export function initSparkChart(container: HTMLElement): SparkChart {
  return initChart(container, optionFor);
}
