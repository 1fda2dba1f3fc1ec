// <spark-line>: its accessible name summarises the trend; the line is SVG drawn by the element itself (no chart
// library), follows the theme's tokens, and breaks at gaps.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/spark-line.js';
import type { SparkLine } from '../../client/src/components/spark-line.js';
import { summariseTrend } from '../../client/src/components/spark-line.js';
import { SPARK_HEIGHT, sparkGeometry } from '../../client/src/components/spark-line-geometry.js';

describe('spark-line', () => {
  it('names itself with min, max and now', async () => {
    const el = await fixture<SparkLine>(html`<spark-line label="CPU last hour" unit="%" .values=${[5, 3, 41, 12]}></spark-line>`);
    const img = el.shadowRoot!.querySelector('[role="img"]')!;
    expect(img.getAttribute('aria-label')).to.equal('CPU last hour: min 3 %, max 41 %, now 12 %');
  });

  it('says there is no data yet for an empty series (and draws nothing), and updates as values arrive', async () => {
    const el = await fixture<SparkLine>(html`<spark-line label="Memory last hour" unit="%" .values=${[]}></spark-line>`);
    const img = () => el.shadowRoot!.querySelector('[role="img"]')!;
    expect(img().getAttribute('aria-label')).to.equal('Memory last hour: no data yet');
    expect(el.shadowRoot!.querySelector('path.line')).to.equal(null);
    el.values = [20, 22];
    await el.updateComplete;
    expect(img().getAttribute('aria-label')).to.equal('Memory last hour: min 20 %, max 22 %, now 22 %');
    expect(el.shadowRoot!.querySelector('path.line')!.getAttribute('d')).to.equal(sparkGeometry([20, 22]).line);
  });

  it('ignores gaps (NaN) in the summary and honours decimals', () => {
    expect(summariseTrend('Load', [0.5, Number.NaN, 1.25], '', 2)).to.equal('Load: min 0.50, max 1.25, now 1.25');
  });

  it('draws an SVG line and area stretched over its box, without a canvas', async () => {
    const el = await fixture<SparkLine>(html`<spark-line style="width:200px;height:40px" label="CPU" .values=${[1, 5, 3]}
      .min=${0} .max=${10}></spark-line>`);
    const svg = el.shadowRoot!.querySelector('svg')!;
    expect(svg.getAttribute('viewBox')).to.equal(`0 0 2 ${SPARK_HEIGHT}`);
    expect(el.shadowRoot!.querySelector('path.line')!.getAttribute('d')).to.equal('M0 90L1 50L2 70');
    expect(el.shadowRoot!.querySelector('path.area')!.getAttribute('d')).to.equal(`M0 ${SPARK_HEIGHT}L0 90L1 50L2 70L2 ${SPARK_HEIGHT}Z`);
    const box = svg.getBoundingClientRect();
    expect(Math.round(box.width)).to.equal(198);
    expect(el.shadowRoot!.querySelector('canvas')).to.equal(null);
  });

  it('strokes in the accent colour, and in the stale grey when stale, following the theme tokens', async () => {
    const el = await fixture<SparkLine>(html`<div style="--oc-accent: rgb(1, 2, 3); --oc-stale: rgb(9, 9, 9)">
      <spark-line label="CPU" .values=${[1, 5, 3]}></spark-line></div>`);
    const spark = el.querySelector('spark-line')!;
    await spark.updateComplete;
    const stroke = () => getComputedStyle(spark.shadowRoot!.querySelector('path.line')!).stroke;
    expect(stroke()).to.equal('rgb(1, 2, 3)');
    spark.stale = true;
    await spark.updateComplete;
    expect(stroke()).to.equal('rgb(9, 9, 9)');
  });
});

describe('sparkGeometry', () => {
  it('fits the data when no range is given, and draws a flat series through the middle', () => {
    expect(sparkGeometry([2, 4]).line).to.equal(`M0 ${SPARK_HEIGHT}L1 0`);
    expect(sparkGeometry([3, 3, 3]).line).to.equal('M0 50L1 50L2 50');
  });

  it('clamps values outside a fixed range', () => {
    expect(sparkGeometry([-5, 150], 0, 100).line).to.equal(`M0 ${SPARK_HEIGHT}L1 0`);
  });

  it('breaks the line at gaps, and draws a lone sample as a dot with no area', () => {
    const g = sparkGeometry([1, 2, Number.NaN, 3, Number.NaN, Number.NaN], 0, 4);
    expect(g.width).to.equal(5);
    expect(g.line).to.equal('M0 75L1 50M3 25h0');
    expect(g.area).to.equal(`M0 ${SPARK_HEIGHT}L0 75L1 50L1 ${SPARK_HEIGHT}Z`);
  });

  it('draws nothing without a finite value, and puts a single sample in the middle', () => {
    expect(sparkGeometry([]).line).to.equal('');
    expect(sparkGeometry([Number.NaN]).line).to.equal('');
    expect(sparkGeometry([7]).line).to.equal('M0.5 50h0');
  });
});
