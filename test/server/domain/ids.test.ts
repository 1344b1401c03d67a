import { newId, randomBytes } from '../../../src/server/domain/ids.js';

describe('random identifiers', () => {
  it('hands out each pooled byte once, as copies, across refills of the pool', () => {
    const first = randomBytes(16);
    const firstHex = first.toString('hex');
    const seen = new Set<string>([firstHex]);
    // 600 × 16 bytes spans the 4 KiB pool twice over.
    for (let i = 0; i < 600; i++) {
      const bytes = randomBytes(16);
      expect(bytes).toHaveLength(16);
      const hex = bytes.toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    // A copy, not a view of the pool: the refills since have not changed it.
    expect(first.toString('hex')).toBe(firstHex);
    expect(randomBytes(10_000)).toHaveLength(10_000);
  });

  it('makes ids of the asked length from letters and digits, every character in use', () => {
    const chars = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newId();
      expect(id).toMatch(/^[A-Za-z0-9]{12}$/);
      for (const c of id) chars.add(c);
    }
    expect(chars.size).toBe(62);
    expect(newId(40)).toHaveLength(40);
  });
});
