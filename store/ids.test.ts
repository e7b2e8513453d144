import { describe, expect, it } from 'vitest';
import { checkIdFromBytes, checkIdToBytes, newCheckId, newId } from './ids.ts';

describe('ids', () => {
  it('makes 22-character url-safe check ids that carry their time and never repeat', () => {
    const at = Date.UTC(2026, 4, 4, 10, 0, 0, 123);
    const ids = Array.from({ length: 5_000 }, () => newCheckId(at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const bytes = checkIdToBytes(id);
      expect(bytes).toHaveLength(16);
      expect(Buffer.from(bytes!).readUIntBE(0, 6)).toBe(at);
      expect(checkIdFromBytes(bytes!)).toBe(id);
    }
  });

  it('keeps any other id as text: only canonical 16-byte ids become bytes', () => {
    expect(checkIdToBytes('probe-1')).toBeNull();
    expect(checkIdToBytes('AAAAAAAAAAAAAAAAAAAAAB')).toBeNull(); // stray low bits: not canonical
    expect(checkIdToBytes(newId())).toBeNull();
    expect(checkIdToBytes('AAAAAAAAAAAAAAAAAAAAAQ')).not.toBeNull();
  });
});
