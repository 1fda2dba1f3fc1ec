// EXAMPLE AGENT — stands in for the real content strategist: scrapes a few market-news sources (simulated)
// and picks one topic per advisor.
import { activeAdvisors, between, forEachAdvisor, pause, pick, runAgent, writeStage } from './support/example-kit.js';

const SOURCES = ['AMFI monthly data', 'RBI policy notes', 'NSE market wrap', 'SEBI circulars'];
const TOPICS = ['SIP discipline in volatile markets', 'Tax-saving ELSS before March', 'Debt funds after the rate pause', 'Goal-based investing for children', 'Emergency funds first', 'Index funds vs active funds', 'Balanced advantage funds explained'];

await runAgent('content-strategist', async (run) => {
  for (const source of SOURCES) {
    run.log(`Scraping ${source}`);
    await pause(between(150, 400));
    run.count('pagesScraped', between(3, 9));
    run.count('apiCalls');
  }
  const topics: Record<string, string> = {};
  await forEachAdvisor(run, activeAdvisors(), 'Choosing a topic for', async (advisor) => {
    await pause(between(200, 500));
    topics[advisor.id] = pick(TOPICS);
    run.count('apiCalls');
    run.count('tokens', between(600, 1100));
    run.count('topics');
  });
  writeStage('topics', topics);
  return `${Object.keys(topics).length} topics chosen`;
});
