import type { OsvRange } from '../../../src/server/scan/advisories/osv.js';
import {
  compileAffectedFor,
  isAffected,
  normalizeEcosystem,
} from '../../../src/server/scan/versions/index.js';

// Ranges here are built in the test to reach the rules the real archives never use (limit
// events, unknown ecosystems, GIT-only entries); the archives' own ranges are tested elsewhere.
const semverRange = (...events: OsvRange['events']): OsvRange => ({ type: 'SEMVER', events });

describe('OSV range rules', () => {
  it('treats introduced "0" as the start of every version, pre-releases included', () => {
    const affected = { ranges: [semverRange({ introduced: '0' }, { fixed: '1.0.0' })] };
    for (const v of ['0.0.0-0', '0.0.1', '0.9.9', '1.0.0-rc.1'])
      expect(isAffected('npm', v, affected)).toBe(true);
    for (const v of ['1.0.0', '1.0.1', '2.0.0']) expect(isAffected('npm', v, affected)).toBe(false);
  });

  it('honours several introduced/fixed pairs in one range, whatever order the events are listed in', () => {
    const events = [{ introduced: '2.0.0' }, { fixed: '2.3.0' }, { introduced: '1.0.0' }, { fixed: '1.4.0' }];
    const affected = { ranges: [semverRange(...events)] };
    const expected: [string, boolean][] = [
      ['0.9.0', false],
      ['1.0.0', true],
      ['1.3.9', true],
      ['1.4.0', false],
      ['1.9.9', false],
      ['2.0.0', true],
      ['2.3.0', false],
    ];
    for (const [v, hit] of expected) expect([v, isAffected('crates.io', v, affected)]).toEqual([v, hit]);
  });

  it('includes last_affected itself and nothing after it', () => {
    const affected = { ranges: [semverRange({ introduced: '1.0.0' }, { last_affected: '1.2.0' })] };
    expect(isAffected('npm', '1.2.0', affected)).toBe(true);
    expect(isAffected('npm', '1.2.1-0', affected)).toBe(false);
    expect(isAffected('npm', '1.2.1', affected)).toBe(false);
  });

  it('caps a range at its limit, and reads limit "*" as no limit', () => {
    const capped = { ranges: [semverRange({ introduced: '1.0.0' }, { limit: '1.5.0' })] };
    expect(isAffected('npm', '1.4.9', capped)).toBe(true);
    expect(isAffected('npm', '1.5.0', capped)).toBe(false);
    const open = { ranges: [semverRange({ introduced: '1.0.0' }, { limit: '*' })] };
    expect(isAffected('npm', '9.0.0', open)).toBe(true);
  });

  it('counts a version affected when any one of several ranges contains it', () => {
    const affected = {
      ranges: [
        semverRange({ introduced: '1.0.0' }, { fixed: '1.1.0' }),
        semverRange({ introduced: '3.0.0' }),
      ],
    };
    expect(isAffected('npm', '1.0.5', affected)).toBe(true);
    expect(isAffected('npm', '2.0.0', affected)).toBe(false);
    expect(isAffected('npm', '3.1.0', affected)).toBe(true);
  });

  it('does not evaluate GIT ranges, nor ECOSYSTEM ranges of an ecosystem it cannot order', () => {
    const git: OsvRange = { type: 'GIT', repo: 'https://example.com/repo', events: [{ introduced: '0' }] };
    expect(isAffected('PyPI', '1.0', { ranges: [git] })).toBe(false);
    const maven: OsvRange = { type: 'ECOSYSTEM', events: [{ introduced: '0' }] };
    expect(isAffected('Maven', '1.0', { ranges: [maven], versions: ['2.0'] })).toBe(false);
    expect(isAffected('Maven', '2.0', { ranges: [maven], versions: ['2.0'] })).toBe(true);
    expect(isAffected('Maven', '1.2.3', { ranges: [semverRange({ introduced: '1.0.0' })] })).toBe(true);
  });

  it('never throws on a version that does not parse, and matches it only through the versions list', () => {
    const affected = { ranges: [semverRange({ introduced: '0' })], versions: ['nightly'] };
    for (const eco of ['npm', 'Go', 'crates.io', 'PyPI']) {
      expect(isAffected(eco, 'not a version', affected)).toBe(false);
      expect(isAffected(eco, '', affected)).toBe(false);
      expect(isAffected(eco, 'nightly', affected)).toBe(true);
    }
  });

  it('compares PyPI versions listed in another spelling as equal (1.0 is 1.0.0, 1.0RC1 is 1.0rc1)', () => {
    const affected = { versions: ['1.0', '2.0rc1'] };
    expect(isAffected('PyPI', '1.0.0', affected)).toBe(true);
    expect(isAffected('PyPI', '2.0RC1', affected)).toBe(true);
    expect(isAffected('PyPI', '2.0', affected)).toBe(false);
  });

  it('reports the lowest fixed version above the version', () => {
    const affected = {
      ranges: [
        semverRange({ introduced: '1.0.0' }, { fixed: '1.2.0' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }),
      ],
    };
    const matcher = compileAffectedFor('npm', affected);
    expect(matcher.fixedVersion('1.1.0')).toBe('1.2.0');
    expect(matcher.fixedVersion('2.0.5')).toBe('2.1.0');
    expect(matcher.fixedVersion('not a version')).toBeNull();
  });

  it('spells ecosystem names the OSV way', () => {
    expect(['pypi', 'PyPI', 'python'].map(normalizeEcosystem)).toEqual(['PyPI', 'PyPI', 'PyPI']);
    expect(['cargo', 'crates.io'].map(normalizeEcosystem)).toEqual(['crates.io', 'crates.io']);
    expect(['golang', 'go'].map(normalizeEcosystem)).toEqual(['Go', 'Go']);
    expect(normalizeEcosystem(' Maven ')).toBe('Maven');
  });
});
