// EXAMPLE AGENT — stands in for the real image creator: one branded visual per generated content unit
// through an image API (simulated).
import { activeAdvisors, between, forEachAdvisor, pause, readStage, runAgent } from './support/example-kit.js';

await runAgent('image-creator', async (run) => {
  const units = readStage('generated', activeAdvisors().map((a) => ({ advisorId: a.id, name: a.name })));
  await forEachAdvisor(run, units, 'Rendering a visual for', async () => {
    await pause(between(300, 700));
    run.count('apiCalls');
    run.count('images');
  });
  return `${units.length} images created`;
});
