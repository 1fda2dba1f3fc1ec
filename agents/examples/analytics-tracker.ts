// EXAMPLE AGENT — stands in for the real analytics tracker: collects delivery and engagement figures per
// advisor (simulated WhatsApp and click-tracking APIs).
import { activeAdvisors, between, forEachAdvisor, pause, runAgent } from './support/example-kit.js';

await runAgent('analytics-tracker', async (run) => {
  await forEachAdvisor(run, activeAdvisors(), 'Collecting metrics for', async () => {
    await pause(between(100, 300));
    run.count('apiCalls', 2);
    run.count('delivered');
    run.count('clicks', between(0, 14));
    run.count('chats', between(0, 3));
  });
  return 'engagement figures collected';
});
