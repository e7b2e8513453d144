// A dns monitor's resolver address: "ip", "ip:port", "[v6]" or "[v6]:port" (port 53 by default).
// Parsed in one place for the API, which refuses a malformed one, and the dns probe, which asks it.
//
// Example:
//   parseResolver('[2001:db8::53]:5353') // → { address: '2001:db8::53', port: 5353 }

import { isIP } from 'node:net';

export function parseResolver(value: string): { address: string; port: number } | null {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const plain = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(value);
  let address: string;
  let port: string | undefined;
  if (bracketed) [, address = '', port] = bracketed;
  else if (isIP(value) === 6) address = value;
  else if (plain) [, address = '', port] = plain;
  else return null;
  const family = isIP(address);
  if (family === 0 || (bracketed && family !== 6) || (plain && family !== 4)) return null;
  const number = port === undefined ? 53 : Number(port);
  return number >= 1 && number <= 65_535 ? { address, port: number } : null;
}
