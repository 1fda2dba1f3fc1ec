// Load on the hottest route: authenticated GET /api/health with autocannon at 100 and 1,000 connections,
// both flat out (saturation) and at a fixed offered rate of 5,000 req/s.
import autocannon from 'autocannon';

export interface LoadRow {
  scenario: string;
  connections: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export async function loadHealth(base: string, cookie: string, connections: number, overallRate?: number, seconds = 10): Promise<LoadRow> {
  const result = await autocannon({
    url: `${base}/api/health`,
    connections,
    duration: seconds,
    headers: { cookie },
    ...(overallRate ? { overallRate } : {}),
  });
  return {
    scenario: overallRate ? `fixed ${overallRate} req/s` : 'saturation',
    connections,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
