// Where a monitor belongs and when it runs, both derived from a stable hash of its id: the shard
// (COLLECTOR_SHARD=i/n) and a fixed offset inside its interval, so probes spread evenly over
// time and a restart keeps every monitor on the same beat.

export type Shard = { index: number; count: number };

/** FNV-1a over the id's UTF-16 units, then murmur3's finalizer so low bits are well mixed. */
export function hashId(id: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function inShard(id: string, shard: Shard): boolean {
  return shard.count <= 1 || hashId(id) % shard.count === shard.index;
}

/** The monitor's fixed offset inside its interval (a different seed from the shard's). */
export function offsetMs(id: string, intervalMs: number): number {
  return hashId(id, 0x9747b28c) % intervalMs;
}

/** The first slot at or after `t` on the grid offset + k·interval (epoch-aligned). */
export function slotAtOrAfter(t: number, intervalMs: number, offset: number): number {
  return Math.ceil((t - offset) / intervalMs) * intervalMs + offset;
}

/**
 * The share of probe thread `lane` (of `lanes`) inside a collector's shard: the same hashing one
 * level down, so shard i/n split in k lanes gives lane j the monitors with hash % (n·k) = i + j·n
 * (all of them in shard i/n, since that implies hash % n = i).
 */
export function laneShard(shard: Shard, lanes: number, lane: number): Shard {
  return { index: shard.index + lane * Math.max(1, shard.count), count: Math.max(1, shard.count) * lanes };
}

/** The lane (of `lanes`) that probes a monitor of this shard; see laneShard. */
export function laneOf(id: string, shard: Shard, lanes: number): number {
  const count = Math.max(1, shard.count);
  return Math.floor((hashId(id) % (count * lanes)) / count);
}
