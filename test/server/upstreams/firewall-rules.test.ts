import { candidateMatchesQuery } from '../../../src/server/upstreams/firewall.js';
import { hideVersions, type NpmDocument } from '../../../src/server/upstreams/npm.js';

describe('candidateMatchesQuery', () => {
  const c = { format: 'npm', name: 'left-pad', version: '1.2.0' };

  it.each([
    ['', true],
    ['name:left', true],
    ['name:^left-pad$', true],
    ['name:^pad', false],
    ['name:left version:1.2.0', true],
    ['name:left version:1.2', false],
    ['version:1.*', true],
    ['format:python', false],
    ['format:python OR name:left-pad', true],
    ['~name:left-pad', false],
    ['NOT format:python', true],
    // Tags and status belong to stored packages: a version not fetched yet has none.
    ['tag:latest', false],
    ['~tag:latest', true],
  ])('reads %j as %s for left-pad 1.2.0', (query, expected) => {
    expect(candidateMatchesQuery(query, c)).toBe(expected);
  });
});

describe('hideVersions', () => {
  const doc: NpmDocument = {
    name: 'p',
    'dist-tags': { latest: '2.0.0', next: '3.0.0-rc.1', old: '1.0.0' },
    versions: { '1.0.0': {}, '1.5.0': {}, '2.0.0': {}, '3.0.0-rc.1': {} },
    time: { created: 't0', modified: 't9', '1.0.0': 't1', '1.5.0': 't2', '2.0.0': 't3', '3.0.0-rc.1': 't4' },
  };

  it('drops blocked versions, their times and tags, and moves latest to the newest release left', () => {
    const out = hideVersions(doc, new Set(['2.0.0', '3.0.0-rc.1']));
    expect(Object.keys(out.versions)).toEqual(['1.0.0', '1.5.0']);
    expect(out['dist-tags']).toEqual({ latest: '1.5.0', old: '1.0.0' });
    expect(out.time).toEqual({ created: 't0', modified: 't9', '1.0.0': 't1', '1.5.0': 't2' });
  });

  it('leaves latest alone when it is not blocked, and the document whole when nothing is', () => {
    expect(hideVersions(doc, new Set(['1.0.0']))['dist-tags']).toEqual({
      latest: '2.0.0',
      next: '3.0.0-rc.1',
    });
    expect(hideVersions(doc, new Set())).toBe(doc);
  });
});
