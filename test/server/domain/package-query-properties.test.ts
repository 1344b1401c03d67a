import fc from 'fast-check';
import {
  parsePackageQuery,
  queryProblem,
  readStoredQuery,
  searchFilter,
  type SearchQuery,
  type SearchTerm,
} from '../../../src/server/domain/package-query.js';
import { ServiceError } from '../../../src/server/domain/errors.js';

// The search language reads text from list URLs, policies and webhooks: any text at all.

/** Prints a parsed query back as text the parser reads (values quoted, so spaces survive). */
function printQuery(query: SearchQuery): string {
  return query
    .map((group) => group.map((t) => `${t.negated ? '~' : ''}${t.field}:"${t.value}"`).join(' '))
    .join(' OR ');
}

// Values of the free-text fields: any text but the quote, which the language has no escape for.
const freeValue = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter((v) => !v.includes('"') && v.trim() !== '');
const term: fc.Arbitrary<SearchTerm> = fc.oneof(
  fc.record({
    field: fc.constantFrom('name', 'version', 'format', 'tag', 'filename', 'checksum') as fc.Arbitrary<
      SearchTerm['field']
    >,
    value: freeValue,
    negated: fc.boolean(),
  }),
  fc.record({
    field: fc.constant('policy_violated' as const),
    value: fc.constantFrom('true', 'false'),
    negated: fc.boolean(),
  }),
  fc.record({
    field: fc.constant('severity' as const),
    value: fc.constantFrom('critical', 'high', 'medium', 'low'),
    negated: fc.boolean(),
  }),
);
const query = fc.array(fc.array(term, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });

// Text made of the language's own pieces (operators, fields, quotes) and of arbitrary characters.
const queryText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'OR',
          'AND',
          'NOT',
          '~',
          '"',
          ':',
          '^',
          '$',
          '*',
          ' ',
          'name:',
          'status:',
          'scan:',
          'nmae:',
        ),
        fc.string({ maxLength: 6 }),
      ),
      { maxLength: 16 },
    )
    .map((parts) => parts.join('')),
);

describe('the package search language', () => {
  it('reads what it prints: parse(print(query)) is the query', () => {
    fc.assert(
      fc.property(query, (q) => {
        expect(parsePackageQuery(printQuery(q))).toEqual(q);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses unreadable text only with a 422 that names the query field', () => {
    fc.assert(
      fc.property(queryText, (text) => {
        let parsed: SearchQuery | undefined;
        try {
          parsed = parsePackageQuery(text, 'package_query_string');
        } catch (err) {
          expect(err).toBeInstanceOf(ServiceError);
          expect((err as ServiceError).code).toBe('validation_failed');
          expect(Object.keys((err as ServiceError).fields ?? {})).toEqual(['package_query_string']);
          expect(queryProblem(text)).not.toBeNull();
          return;
        }
        expect(queryProblem(text)).toBeNull();
        searchFilter(parsed, new Date());
      }),
      { numRuns: 2000 },
    );
  });

  it('reads any stored text leniently without throwing, and no wider than a readable query', () => {
    fc.assert(
      fc.property(queryText, (text) => {
        const { search, error } = readStoredQuery(text);
        searchFilter(search, new Date());
        if (error === null) expect(search).toEqual(parsePackageQuery(text));
      }),
      { numRuns: 2000 },
    );
  });
});
