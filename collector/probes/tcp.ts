// The tcp probe: `tcp://host:port` is up when a connection opens; `tls://host:port` when the TLS
// handshake after it succeeds with a certificate the probe trusts, recorded like an https one's
// (tls.version, tls.server.x509.*). Nothing is sent: the connection is closed at once.
//
// Timing fields (microseconds): resolve.rtt.us (lookup), tcp.rtt.connect.us (connect() → connected),
// tls.rtt.handshake.us (tls:// only).

import { openConnection } from '../check/connect.ts';
import { ProbeFailure } from '../check/failure.ts';
import type { TypeProbe } from './types.ts';

export const tcpProbe: TypeProbe = {
  async run(run) {
    const target = parseTcpTarget(run.monitor.url);
    run.tls = target.tls;
    const socket = await openConnection(target, run.deps, run.m);
    socket.destroy();
  },
};

function parseTcpTarget(raw: string): { hostname: string; port: number; tls: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProbeFailure('connect', `invalid monitor URL ${JSON.stringify(raw)}: expected tcp://host:port or tls://host:port`);
  }
  if ((url.protocol !== 'tcp:' && url.protocol !== 'tls:') || url.hostname === '' || url.port === '') {
    throw new ProbeFailure('connect', `invalid monitor URL ${JSON.stringify(raw)}: expected tcp://host:port or tls://host:port`);
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { hostname, port: Number(url.port), tls: url.protocol === 'tls:' };
}
