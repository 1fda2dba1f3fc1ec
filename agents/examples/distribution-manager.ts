// EXAMPLE AGENT — stands in for the real distribution manager: delivers approved content to each advisor's
// WhatsApp number (simulated API; a few deliveries fail or stay pending, as real ones do).
import { activeAdvisors, between, chance, forEachAdvisor, pause, readStage, runAgent } from './support/example-kit.js';

await runAgent('distribution-manager', async (run) => {
  const phones = new Map(activeAdvisors().map((a) => [a.id, a.phone]));
  const units = readStage('passed', activeAdvisors().map((a) => ({ advisorId: a.id, name: a.name })));
  run.metric({ delivered: 0, failed: 0, pending: units.length });
  let pending = units.length;
  await forEachAdvisor(run, units, 'Sending to', async (unit) => {
    await pause(between(200, 500));
    run.count('apiCalls');
    pending--;
    if (chance(0.04)) {
      run.count('failed');
      run.log(`WhatsApp delivery to ${phones.get(unit.advisorId) ?? unit.name} failed: number not on WhatsApp`, 'warn');
    } else if (chance(0.05)) {
      pending++;
      run.log(`Delivery to ${unit.name} accepted, not yet confirmed`);
    } else {
      run.count('delivered');
    }
    run.metric({ pending });
  });
  return `${units.length} messages sent`;
});
