import { formatSize } from '../../../src/server/domain/sizes.js';

describe('formatSize', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [1024 * 1024 - 10, '1.0 MB'],
    [100 * 1024 * 1024 + 10, '100.0 MB'],
    [5 * 1024 ** 3, '5.0 GB'],
    [3 * 1024 ** 6, '3072.0 PB'],
  ])('shows %i bytes as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
