// EXAMPLE AGENT — stands in for the real approval guardian: at 23:00 IST it auto-approves content still
// pending manual approval (simulated; a few items are held back for a human).
import { activeAdvisors, between, chance, forEachAdvisor, pause, runAgent } from './support/example-kit.js';

await runAgent('approval-guardian', async (run) => {
  const pending = activeAdvisors().filter(() => chance(0.7));
  run.metric({ pendingApproval: pending.length, approved: 0, rejected: 0 });
  let left = pending.length;
  await forEachAdvisor(run, pending, 'Reviewing content of', async (advisor) => {
    await pause(between(150, 400));
    run.count('apiCalls');
    run.count('tokens', between(200, 400));
    left--;
    if (chance(0.1)) {
      run.count('rejected');
      run.log(`Held back content of ${advisor.name} for a human decision`, 'warn');
    } else {
      run.count('approved');
    }
    run.metric({ pendingApproval: left });
  });
  return `${pending.length} pending items decided`;
});
