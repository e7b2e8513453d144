// Test support: a small authoritative DNS server on 127.0.0.1 (UDP, a random port), built on node's
// dgram with dns-packet for the wire format. Each name answers as the test says: records, an
// error code (NXDOMAIN, SERVFAIL…), or nothing at all (the question is swallowed, as by a server
// that is down or filtered). A name it does not know answers NXDOMAIN. The zone may also be a
// function of the name, for a server that answers a family of names (the benchmark's
// `m<index>.bench.test`, one per monitor) and learns who asked when.

import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export type DnsRecord = { type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS'; data: string | string[] | { preference: number; exchange: string } };
export type DnsBehaviour = { records: DnsRecord[] } | { rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' } | { silent: true };

export type DnsTestServer = {
  /** "127.0.0.1:port", as a monitor's resolver. */
  address: string;
  port: number;
  /** Questions received, "name TYPE": the newest MAX_KEPT_QUESTIONS. */
  questions: string[];
  close(): Promise<void>;
};

const RCODES = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 } as const;
const RECURSION_AVAILABLE = 1 << 7;
/** A benchmark asks millions of questions: the list of questions keeps the newest ones only. */
export const MAX_KEPT_QUESTIONS = 10_000;

export type DnsZone = Record<string, DnsBehaviour> | ((name: string) => DnsBehaviour | undefined);

export async function startDnsServer(zone: DnsZone): Promise<DnsTestServer> {
  const socket = createSocket('udp4');
  const questions: string[] = [];
  socket.on('message', (message, peer) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    if (questions.length >= MAX_KEPT_QUESTIONS) questions.shift();
    questions.push(`${question.name} ${question.type}`);
    const name = question.name.toLowerCase();
    const behaviour = (typeof zone === 'function' ? zone(name) : zone[name]) ?? { rcode: 'NXDOMAIN' as const };
    if ('silent' in behaviour) return;
    const flags = dnsPacket.RECURSION_DESIRED | RECURSION_AVAILABLE | ('rcode' in behaviour ? RCODES[behaviour.rcode] : 0);
    const answers =
      'records' in behaviour
        ? behaviour.records
            .filter((record) => record.type === question.type)
            .map((record) => ({ type: record.type, name: question.name, ttl: 60, class: 'IN' as const, data: record.data }))
        : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags,
      questions: [question],
      answers: answers as dnsPacket.Answer[],
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    port,
    questions,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
