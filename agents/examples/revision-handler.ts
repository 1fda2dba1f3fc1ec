// EXAMPLE AGENT — stands in for the real revision handler: applies edits advisors asked for in chat
// (simulated: a few requests per run).
import { activeAdvisors, between, forEachAdvisor, pause, random, runAgent } from './support/example-kit.js';

await runAgent('revision-handler', async (run) => {
  const requests = activeAdvisors().filter(() => random() < 0.25);
  if (requests.length === 0) run.log('No revision requests waiting');
  await forEachAdvisor(run, requests, 'Revising content for', async () => {
    await pause(between(400, 800));
    run.count('apiCalls', 2);
    run.count('tokens', between(900, 1600));
    run.count('revisions');
  });
  return `${requests.length} revisions applied`;
});
