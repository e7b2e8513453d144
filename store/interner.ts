// One shared instance per equal value, for the fields a fleet repeats: 50,000 monitors read from
// the store or received from another thread carry 50,000 copies of their owner's id, of "GET" and
// of the same certificate thresholds, where a handful of distinct values would do. Only for fields
// with few distinct values: an interned name or URL would keep a second copy of each, not share it.
//
// Example:
//   const shared = createInterner();
//   const rule = { owner_id: shared.text(monitor.owner_id), days: shared.numbers(monitor.tls_expiry_days) };

export type Interner = {
  text<T extends string>(value: T): T;
  /** The shared list is frozen: whoever holds it cannot change the others' copy. */
  numbers(values: readonly number[]): readonly number[];
};

export function createInterner(): Interner {
  const texts = new Map<string, string>();
  const lists = new Map<string, readonly number[]>();
  return {
    text(value) {
      const known = texts.get(value);
      if (known !== undefined) return known as typeof value;
      texts.set(value, value);
      return value;
    },
    numbers(values) {
      const key = values.join(',');
      const known = lists.get(key);
      if (known !== undefined) return known;
      const frozen = Object.freeze([...values]);
      lists.set(key, frozen);
      return frozen;
    },
  };
}
