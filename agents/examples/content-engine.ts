// EXAMPLE AGENT (labelled `example: true` in the dashboard) — stands in for the real content engine: the daily
// content run (20:30 and 05:00 IST) that starts content-orchestrator for every active advisor. Replace it
// with your own agent; keep reporting through agents/sdk.
import { activeAdvisors, runAgent, runChildAgent } from './support/example-kit.js';

await runAgent('content-engine', async (run) => {
  const advisors = activeAdvisors();
  run.log(`Daily content run for ${advisors.length} active advisors`);
  run.metric({ advisors: advisors.length });
  run.progress(0, 1, 'content-orchestrator');
  const { code, runId } = await runChildAgent(run, 'content-orchestrator');
  run.progress(1, 1, 'content-orchestrator finished');
  if (code !== 0) throw Object.assign(new Error(`content-orchestrator (run ${runId}) ended with exit code ${code}`), { code: 'child_failed' });
  return `content ready for ${advisors.length} advisors`;
});
