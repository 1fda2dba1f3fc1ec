// EXAMPLE AGENT — stands in for the real compliance validator: checks every content unit against SEBI
// advertising rules (simulated). About one run in ten (EXAMPLE_FAILURE_RATE) the rules service fails on
// one advisor and the run fails, so the viewer shows a degraded parent.
import { activeAdvisors, between, chance, forEachAdvisor, FAILURE_RATE, pause, random, readStage, runAgent, writeStage } from './support/example-kit.js';

const PROBLEMS = ['promises guaranteed returns', 'missing the mutual fund risk disclaimer', 'names a scheme without its riskometer'];

await runAgent('compliance-validator', async (run) => {
  const units = readStage('generated', activeAdvisors().map((a) => ({ advisorId: a.id, name: a.name })));
  const failOn = chance(FAILURE_RATE) ? Math.floor(random() * units.length) : -1;
  const passed: typeof units = [];
  await forEachAdvisor(run, units, 'Checking', async (unit, i) => {
    await pause(between(250, 600));
    run.count('apiCalls');
    run.count('tokens', between(500, 800));
    if (i === failOn) {
      throw Object.assign(new Error(`SEBI rules service answered 503 while checking content for ${unit.name}`), { code: 'rules_service_unavailable' });
    }
    if (chance(0.08)) {
      run.count('failed');
      run.log(`${unit.name}: content ${PROBLEMS[Math.floor(random() * PROBLEMS.length)]}; sent back for revision`, 'warn');
    } else {
      run.count('passed');
      passed.push(unit);
    }
    // Hand over as we go: distribution still gets what passed before a failure.
    writeStage('passed', passed);
  });
  return `${passed.length} of ${units.length} passed`;
});
