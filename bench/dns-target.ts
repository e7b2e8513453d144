// Benchmark DNS target, run as a separate process (so its CPU is not the probes'): the test DNS
// server (collector/testing/dns-server.ts) answering `bench.test` A. Started by
// bench/probe-types.ts with fork(); sends {type:'ready', address} once.

import { startDnsServer } from '../collector/testing/dns-server.ts';

if (!process.send) {
  console.error('bench/dns-target.ts is started by bench/probe-types.ts (needs IPC)');
  process.exit(2);
}
const server = await startDnsServer({ 'bench.test': { records: [{ type: 'A', data: '192.0.2.10' }] } });
process.send({ type: 'ready', address: server.address });
// Ends with the parent, whatever happens to it.
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
