// web-test-runner config for the client's component tests: real Debian Chromium through Playwright,
// TypeScript compiled on the fly by esbuild with the client's tsconfig (Lit's legacy decorators).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { esbuildPlugin } from '@web/dev-server-esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const countsFile = fileURLToPath(new URL('../.artifacts/wtr-counts.json', import.meta.url));

/** Leaves the pass/fail/skip counts where `npm test` sums every suite; a file that fails to load counts as a failure. */
function countingReporter() {
  const walk = (suite, counts) => {
    for (const t of suite?.tests ?? []) {
      if (t.skipped) counts.skipped += 1;
      else if (t.passed) counts.passed += 1;
      else counts.failed += 1;
    }
    for (const s of suite?.suites ?? []) walk(s, counts);
  };
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions) {
        walk(session.testResults, counts);
        if (!session.passed && (session.errors?.length ?? 0) > 0) counts.failed += 1;
      }
      fs.mkdirSync(new URL('../.artifacts/', import.meta.url), { recursive: true });
      fs.writeFileSync(countsFile, JSON.stringify(counts));
    },
  };
}

export default {
  rootDir: root,
  files: ['tests/client/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  // ECharts is loaded unbundled by the spark-line tests (several seconds on a busy machine).
  testsFinishTimeout: 300_000,
  reporters: [defaultReporter(), countingReporter()],
  testFramework: { config: { timeout: 10000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('../../client/tsconfig.json', import.meta.url)) })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      },
    }),
  ],
};
