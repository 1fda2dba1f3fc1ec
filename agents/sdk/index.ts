// Agent SDK: report runs to the Ops Center dashboard over its ingest API (or stdout when it launched you).
//   const run = createAgentRunFromEnv('content-generator');
//   run.start(); run.progress(3, 12, 'Advisor 3'); run.count('apiCalls'); await run.finish(); await run.close();
export { createAgentRun, createAgentRunFromEnv, type AgentRun, type AgentRunOptions } from './agent-run.js';
export { HttpTransport, StdoutTransport, ingestEndpoint, type EventTransport, type HttpTransportOptions, type IngestProblem } from './transport.js';
