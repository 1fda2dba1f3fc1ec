// Agent routes (issue 3): handlers and their access-table rows, spread into route-table.ts.
import type { RouteSpec } from './route-table.js';

export const AGENT_ROUTES: RouteSpec[] = [];
