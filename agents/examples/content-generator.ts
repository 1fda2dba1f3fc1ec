// EXAMPLE AGENT — stands in for the real content generator: one LLM-written content unit per active advisor
// (simulated calls; token counts are realistic-looking, not real).
import { activeAdvisors, between, chance, forEachAdvisor, pause, readStage, runAgent, writeStage } from './support/example-kit.js';

export interface ContentUnit {
  advisorId: string;
  name: string;
  topic: string;
  words: number;
}

await runAgent('content-generator', async (run) => {
  const topics = readStage<Record<string, string>>('topics', {});
  const units: ContentUnit[] = [];
  await forEachAdvisor(run, activeAdvisors(), 'Writing for', async (advisor) => {
    await pause(between(400, 900));
    run.count('apiCalls');
    run.count('tokens', between(1400, 2600));
    // An occasional retry after a rate-limit answer, as real LLM APIs give.
    if (chance(0.15)) {
      run.log(`LLM rate-limited while writing for ${advisor.name}; retried`, 'warn');
      run.count('apiCalls');
      await pause(300);
    }
    units.push({ advisorId: advisor.id, name: advisor.name, topic: topics[advisor.id] ?? 'Market update', words: between(140, 220) });
    run.count('generated');
  });
  writeStage('generated', units);
  return `${units.length} content units generated`;
});
