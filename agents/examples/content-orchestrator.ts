// EXAMPLE AGENT — stands in for the real content orchestrator: runs the six content steps in order, each as its
// own process and child run, handing each step the previous one's output through a work directory. A failed
// step is reported and the remaining steps work with what got through (the parent run shows "degraded").
import fs from 'node:fs';
import { makeWorkDir, runAgent, runChildAgent } from './support/example-kit.js';

const STEPS = ['content-strategist', 'fatigue-checker', 'content-generator', 'image-creator', 'compliance-validator', 'distribution-manager'];

await runAgent('content-orchestrator', async (run) => {
  const ownWorkDir = !process.env.EXAMPLE_WORK_DIR;
  const workDir = process.env.EXAMPLE_WORK_DIR ?? makeWorkDir();
  const failed: string[] = [];
  try {
    for (const [i, step] of STEPS.entries()) {
      run.progress(i, STEPS.length, step);
      const { code } = await runChildAgent(run, step, { EXAMPLE_WORK_DIR: workDir });
      run.count('stepsRun');
      if (code !== 0) {
        failed.push(step);
        run.count('stepsFailed');
        run.log(`${step} failed (exit code ${code}); continuing with what got through`, 'warn');
      }
    }
    run.progress(STEPS.length, STEPS.length, 'all steps run');
  } finally {
    if (ownWorkDir) fs.rmSync(workDir, { recursive: true, force: true });
  }
  return failed.length ? `${STEPS.length - failed.length} of ${STEPS.length} steps succeeded (failed: ${failed.join(', ')})` : 'all steps succeeded';
});
