import {
  decodeObject,
  decodePromotionRules,
  encodeNullableObject,
} from '../../../src/server/store/codecs.js';

describe('the JSON column codecs', () => {
  it('reads an object back as it was written', () => {
    const value = { version_orig: '1.0', nested: { a: [1, 2] } };
    expect(decodeObject(JSON.stringify(value))).toEqual(value);
    expect(encodeNullableObject(null)).toBeNull();
    expect(decodeObject(encodeNullableObject(value))).toEqual(value);
  });

  it('reads empty, broken or non-object text as no object', () => {
    for (const text of [null, undefined, '', '{broken', '[1,2]', '"text"', '42', 'null']) {
      expect(decodeObject(text)).toBeNull();
    }
  });

  it('reads promotion rules, keeping only string rules', () => {
    expect(decodePromotionRules('{"issuer":"https://x","run_id":7}')).toEqual({ issuer: 'https://x' });
    expect(decodePromotionRules('')).toEqual({});
    expect(decodePromotionRules('[]')).toEqual({});
  });

  it('reads damaged promotion rules as a rule nothing can satisfy, never as no rule', () => {
    const rules = decodePromotionRules('{"issuer":');
    expect(Object.keys(rules)).toEqual(['issuer']);
    expect(rules.issuer).toContain('\u0000');
  });
});
