// A proxy in front of the search engine that a fault test can break the way production breaks:
//
//   down      nothing listens: connections are refused, as when the node is stopped (and open
//             connections are cut, as when it dies);
//   throttle  bulk requests answer 429 `es_rejected_execution_exception`, as a node whose write
//             queue is full does; other requests pass;
//   pass      everything is forwarded.
//
// The shared dev node serves every test file at once, so it is the proxy that goes down, never
// the node. Bulk requests are recorded (time, status) so that a test can see the client back off.
//
//   const proxy = await startFaultProxy('http://127.0.0.1:9200');
//   await proxy.down(); …; await proxy.up();

import { request } from 'node:http';
import { startRestartableServer } from './restartable-server.ts';

export type FaultMode = 'pass' | 'throttle';

export type FaultProxy = {
  url: string;
  /** Stops listening and cuts every open connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  setMode(mode: FaultMode): void;
  /** Bulk requests seen while up, in arrival order. */
  bulks: Array<{ at: number; status: number }>;
};

const UPSTREAM_TIMEOUT_MS = 30_000;

const REJECTED = JSON.stringify({
  error: { type: 'es_rejected_execution_exception', reason: 'rejected execution (fault proxy: write queue full)' },
  status: 429,
});

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  let mode: FaultMode = 'pass';
  const bulks: FaultProxy['bulks'] = [];

  const server = await startRestartableServer((req, res) => {
    const isBulk = /\/_bulk(\?|$)/.test(req.url ?? '');
    if (isBulk && mode === 'throttle') {
      bulks.push({ at: Date.now(), status: 429 });
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(REJECTED);
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        timeout: UPSTREAM_TIMEOUT_MS,
      },
      (answer) => {
        if (isBulk) bulks.push({ at: Date.now(), status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('timeout', () => forwarded.destroy(new Error('upstream timed out')));
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });

  return {
    get url() {
      return `http://127.0.0.1:${server.port}`;
    },
    down: () => server.down(),
    up: () => server.up(),
    setMode(next) {
      mode = next;
    },
    bulks,
  };
}
