// A bench's knobs come from the environment: a whole number ≥ 1, or the bench's default.

export function wholeNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`invalid ${name}=${value}: expected a whole number ≥ 1`);
  return Number(value);
}
