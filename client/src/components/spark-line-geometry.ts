// The shapes of a sparkline as SVG path data: one line and one filled area per unbroken run of finite values
// (a NaN is a gap), in a viewBox `width` × SPARK_HEIGHT that the element stretches to its box.

export const SPARK_HEIGHT = 100;

export interface SparkGeometry {
  /** viewBox width: one unit between neighbouring samples (at least 1). */
  width: number;
  /** Path data of the lines (one `M … L …` run per unbroken stretch). */
  line: string;
  /** Path data of the areas under the lines, closed along the bottom. */
  area: string;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Scales `values` between `min` and `max` (null = the data's own lowest/highest) and draws them left to right.
 * Values outside a fixed range are clamped to it; a flat series is drawn through the middle.
 */
export function sparkGeometry(values: readonly number[], min: number | null = null, max: number | null = null): SparkGeometry {
  const finite = values.filter((v) => Number.isFinite(v));
  const width = Math.max(1, values.length - 1);
  if (finite.length === 0) return { width, line: '', area: '' };
  const lo = min ?? Math.min(...finite);
  const hi = max ?? Math.max(...finite);
  const y = (v: number) => {
    if (!(hi > lo)) return SPARK_HEIGHT / 2;
    const clamped = Math.min(hi, Math.max(lo, v));
    return round(SPARK_HEIGHT - ((clamped - lo) / (hi - lo)) * SPARK_HEIGHT);
  };
  // A single sample sits in the middle; otherwise sample i is at x = i.
  const x = (i: number) => (values.length === 1 ? 0.5 : i);

  const runs: Array<Array<[number, number]>> = [];
  let run: Array<[number, number]> | null = null;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) { run = null; return; }
    if (!run) { run = []; runs.push(run); }
    run.push([x(i), y(v)]);
  });

  const line: string[] = [];
  const area: string[] = [];
  for (const points of runs) {
    const [x0, y0] = points[0]!;
    // A lone point is a zero-length segment: the round line cap draws it as a dot.
    const rest = points.length === 1 ? ['h0'] : points.slice(1).map(([px, py]) => `L${px} ${py}`);
    line.push(`M${x0} ${y0}${rest.join('')}`);
    if (points.length > 1) {
      const xn = points[points.length - 1]![0];
      area.push(`M${x0} ${SPARK_HEIGHT}L${x0} ${y0}${rest.join('')}L${xn} ${SPARK_HEIGHT}Z`);
    }
  }
  return { width, line: line.join(''), area: area.join('') };
}
