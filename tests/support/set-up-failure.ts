// uvu reports a failing test.before hook only as failed tests, without its error: print the error first.

/** Runs the set-up; on failure prints why to stderr and fails as before. */
export async function printingFailure(setUp: () => Promise<void>): Promise<void> {
  try {
    await setUp();
  } catch (err) {
    console.error('set-up failed:', err);
    throw err;
  }
}
