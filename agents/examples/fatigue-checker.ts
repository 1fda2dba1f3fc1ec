// EXAMPLE AGENT — stands in for the real fatigue checker: scores how much each advisor's next post varies from
// their recent ones and asks for a fresh angle when it is too similar.
import { activeAdvisors, between, forEachAdvisor, pause, random, runAgent, writeStage } from './support/example-kit.js';

await runAgent('fatigue-checker', async (run) => {
  const scores: Record<string, number> = {};
  await forEachAdvisor(run, activeAdvisors(), 'Scoring variation for', async (advisor) => {
    await pause(between(150, 350));
    const score = Math.round((0.4 + random() * 0.6) * 100) / 100;
    scores[advisor.id] = score;
    run.count('apiCalls');
    run.count('tokens', between(250, 450));
    run.count('scored');
    if (score < 0.55) {
      run.count('freshAngles');
      run.log(`${advisor.name}: variation ${score} is low; asking the generator for a fresh angle`);
    }
  });
  writeStage('fatigue', scores);
  return `${Object.keys(scores).length} advisors scored`;
});
