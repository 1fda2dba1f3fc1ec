// The ECharts side of <bar-chart>: only echarts/core + BarChart + Grid, Tooltip and Legend + Canvas, so this module
// (and ECharts) lands in a lazily loaded chunk fetched after the page that uses it has painted.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { initChart, type ChartHandle } from './echarts-handle.js';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface BarSeries { name: string; values: number[] }
export interface BarData { categories: string[]; series: BarSeries[]; stacked: boolean; unit: string }
/** Colours read from the page's CSS tokens, so the chart follows dark/light like everything else. */
export interface BarColours { series: string[]; text: string; grid: string; tooltipBg: string; stale: boolean }

export type BarChartHandle = ChartHandle<BarData, BarColours>;

function optionFor(data: BarData, c: BarColours) {
  return {
    animation: false,
    color: c.series,
    grid: { left: 36, right: 8, top: data.series.length > 1 ? 30 : 10, bottom: 24 },
    legend: data.series.length > 1 ? { top: 0, left: 0, itemWidth: 12, itemHeight: 10, textStyle: { color: c.text } } : { show: false },
    tooltip: {
      trigger: 'axis' as const, axisPointer: { type: 'shadow' as const },
      backgroundColor: c.tooltipBg, borderColor: c.grid, textStyle: { color: c.text },
      valueFormatter: (v: unknown) => `${typeof v === 'number' ? v.toLocaleString('en-IN') : String(v)}${data.unit ? ` ${data.unit}` : ''}`,
    },
    xAxis: { type: 'category' as const, data: data.categories, axisLine: { lineStyle: { color: c.grid } }, axisTick: { show: false },
      axisLabel: { color: c.text, hideOverlap: true } },
    yAxis: { type: 'value' as const, minInterval: 1, splitLine: { lineStyle: { color: c.grid } }, axisLabel: { color: c.text } },
    series: data.series.map((s) => ({
      type: 'bar' as const, name: s.name, data: s.values, stack: data.stacked ? 'total' : undefined, barMaxWidth: 28,
      itemStyle: c.stale ? { opacity: 0.45 } : undefined, emphasis: { focus: 'series' as const },
    })),
  };
}

export function initBarChart(container: HTMLElement): BarChartHandle {
  return initChart(container, optionFor);
}
