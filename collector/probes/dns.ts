// The dns probe: asks one question (name and record type) of the monitor's resolver, or of the
// system's resolvers, with node's dns.Resolver (c-ares: one try, no cache). Up when answers come
// back and, if the monitor expects a value, that value is among them. NXDOMAIN, no records of the
// type, a resolver error, no answer in time and the wrong answers are all error.type `dns`, with
// the question, the resolver and what came back named in the message.
//
// A resolver address given by the monitor passes the address guard like any target (it is where
// our packets go); the system's resolvers are the operator's own configuration.
//
// Fields: dns.question.name/type, dns.answers.data, dns.response_code, resolve.rtt.us (question
// sent → answer), resolve.ip (the first address answered, for A and AAAA).

import { Resolver } from 'node:dns/promises';
import type { DnsQuery, DnsRecordType } from '../../store/types.ts';
import { parseResolver } from '../../net/resolver-address.ts';
import { settle } from '../check/connect.ts';
import { ProbeFailure } from '../check/failure.ts';
import type { TypeProbe } from './types.ts';

/** c-ares error codes → the DNS response code they stand for; absent: no response at all. */
const RESPONSE_CODES: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NOERROR',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ENOTIMP: 'NOTIMP',
  EFORMERR: 'FORMERR',
};

const WHY: Record<string, string> = {
  NXDOMAIN: 'no such name (NXDOMAIN)',
  NOERROR: 'the name exists but has no records of this type',
  SERVFAIL: 'the resolver failed (SERVFAIL)',
  REFUSED: 'the resolver refused to answer (REFUSED)',
  NOTIMP: 'the resolver does not support this query (NOTIMP)',
  FORMERR: 'the resolver could not read the query (FORMERR)',
};

/** The resolver's own timer fires a little before the probe's deadline, so a silent resolver is a dns failure. */
const RESOLVER_SHARE_OF_DEADLINE = 0.9;

const micros = (since: number) => Math.round((performance.now() - since) * 1000);

export const dnsProbe: TypeProbe = {
  // Should the probe's own deadline beat the resolver's timer (a busy collector), it is still the resolver's silence.
  deadlineError: 'dns',
  async run(run) {
    const query = run.monitor.dns;
    if (query === null) throw new ProbeFailure('dns', 'this dns monitor has no question (dns.name and dns.record_type)');
    const { m, deps } = run;
    const server = query.resolver === null ? null : parseResolver(query.resolver);
    if (query.resolver !== null && server === null) {
      throw new ProbeFailure('dns', `invalid resolver ${JSON.stringify(query.resolver)}: expected ip or ip:port`);
    }
    if (server !== null) {
      const reason = deps.guard(server.address);
      if (reason !== null) throw new ProbeFailure('blocked', `refused to ask the resolver ${query.resolver}: ${reason} (ALLOW_PRIVATE_TARGETS is off)`);
    }
    const asked = server === null ? 'the system resolvers' : query.resolver;
    m.dns = { question_name: query.name, question_type: query.record_type, answers: [], response_code: null };
    const resolver = new Resolver({ timeout: Math.max(50, Math.floor(run.timeoutMs * RESOLVER_SHARE_OF_DEADLINE)), tries: 1 });
    if (server !== null) resolver.setServers([server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`]);
    run.phase = `waiting for ${asked} to answer`;
    const started = performance.now();
    let answers: string[];
    try {
      answers = await settle<string[]>(deps.signal, (done, fail) => {
        ask(resolver, query).then(done, fail);
        return () => resolver.cancel();
      });
    } catch (error) {
      if (error instanceof ProbeFailure) throw error; // the probe's deadline
      m.dns_us = micros(started);
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const responseCode = RESPONSE_CODES[code] ?? null;
      m.dns.response_code = responseCode;
      const question = `${query.name} ${query.record_type}`;
      if (code === 'ETIMEOUT') throw new ProbeFailure('dns', `${question}: no answer from ${asked} within ${run.timeoutMs} ms`);
      if (responseCode !== null) throw new ProbeFailure('dns', `${question}: ${WHY[responseCode]} (asked ${asked})`);
      throw new ProbeFailure('dns', `${question}: ${code || 'error'} from ${asked}: ${(error as Error).message}`);
    }
    m.dns_us = micros(started);
    m.dns.response_code = 'NOERROR';
    m.dns.answers = answers;
    if (query.record_type === 'A' || query.record_type === 'AAAA') m.resolved_ip = answers[0] ?? null;
    if (query.expect !== null && !answers.some((answer) => sameAnswer(answer, query.expect!, query.record_type))) {
      throw new ProbeFailure(
        'dns',
        `${query.name} ${query.record_type}: expected ${JSON.stringify(query.expect)} among the answers, got ${answers.map((a) => JSON.stringify(a)).join(', ') || 'none'}`,
      );
    }
  },
};

/** The answers as text: addresses, names, "priority exchange" for MX, the joined strings of each TXT record. */
async function ask(resolver: Resolver, query: DnsQuery): Promise<string[]> {
  switch (query.record_type) {
    case 'A':
      return resolver.resolve4(query.name);
    case 'AAAA':
      return resolver.resolve6(query.name);
    case 'CNAME':
      return resolver.resolveCname(query.name);
    case 'NS':
      return resolver.resolveNs(query.name);
    case 'MX':
      return (await resolver.resolveMx(query.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(query.name)).map((chunks) => chunks.join(''));
  }
}

/** Names compare without case or a final dot; addresses as written; TXT exactly. */
function sameAnswer(answer: string, expected: string, type: DnsRecordType): boolean {
  if (type === 'TXT') return answer === expected;
  const normal = (value: string) => value.trim().toLowerCase().replace(/\.$/, '');
  return normal(answer) === normal(expected);
}
