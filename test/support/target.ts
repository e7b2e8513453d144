// A local HTTP target on 127.0.0.1 that a test can switch: answering 200 (`ok`), 500 (`error`),
// not answering at all (`hang`: the probe times out), or taken down and brought back on the same
// port (connections refused meanwhile).

import { startRestartableServer } from './restartable-server.ts';

export type TargetMode = 'ok' | 'error' | 'hang';

export type Target = {
  url: string;
  port: number;
  hits: () => number;
  set(mode: TargetMode): void;
  /** Stops listening and cuts open connections (a hanging probe ends with them). */
  down(): Promise<void>;
  /** Listens again, answering `ok`. */
  up(): Promise<void>;
};

export async function startTarget(body = 'all good'): Promise<Target> {
  let hits = 0;
  let mode: TargetMode = 'ok';
  const server = await startRestartableServer((_req, res) => {
    hits += 1;
    if (mode === 'hang') return;
    res.writeHead(mode === 'ok' ? 200 : 500, { 'content-type': 'text/plain' }).end(mode === 'ok' ? body : 'error');
  });
  return {
    get url() {
      return `http://127.0.0.1:${server.port}/`;
    },
    get port() {
      return server.port;
    },
    hits: () => hits,
    set(next) {
      mode = next;
    },
    down: () => server.down(),
    async up() {
      mode = 'ok';
      await server.up();
    },
  };
}
