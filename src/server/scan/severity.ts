import cvss from 'ae-cvss-calculator';
import type { OsvAdvisory, OsvAffected, OsvSeverity } from './advisories/osv.js';

/** Severity levels, highest first, as findings and gate thresholds use them. */
export const SEVERITY_LEVELS = ['Critical', 'High', 'Medium', 'Low', 'Unknown'] as const;

/** One of {@link SEVERITY_LEVELS}. */
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/** Where a severity came from: a CVSS vector type, the database's own word, or nothing. */
export type SeveritySource = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'database_specific' | null;

/** The severity of an advisory (or of one affected package). */
export interface Severity {
  level: SeverityLevel;
  /** CVSS base score, 0–10; null when the level did not come from a vector. */
  score: number | null;
  source: SeveritySource;
  /** The CVSS vector scored, or the database's word for `database_specific`. */
  vector: string | null;
}

/** The severity of an advisory nothing can be said about. */
export const UNKNOWN_SEVERITY: Severity = Object.freeze({
  level: 'Unknown',
  score: null,
  source: null,
  vector: null,
});

/** Maps a CVSS score to a level: Critical ≥ 9.0, High ≥ 7.0, Medium ≥ 4.0, Low > 0, else Unknown. */
export function levelForScore(score: number): SeverityLevel {
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  if (score > 0) return 'Low';
  return 'Unknown';
}

const WORDS: Record<string, SeverityLevel> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MODERATE: 'Medium',
  MEDIUM: 'Medium',
  LOW: 'Low',
};

/** Maps a database's severity word (GitHub's CRITICAL/HIGH/MODERATE/LOW, or MEDIUM) to a level. */
export function levelForWord(word: string): SeverityLevel {
  return WORDS[word.trim().toUpperCase()] ?? 'Unknown';
}

/**
 * The CVSS base score of a vector of the given OSV severity type, or null when the vector is not
 * a complete, valid vector of that version. v4 scores use the base metrics only (CVSS-B), so a
 * threat metric in the vector does not lower the level.
 */
export function scoreCvssVector(type: string, vector: string): number | null {
  const text = vector.trim().replace(/^\((.*)\)$/, '$1');
  try {
    switch (type) {
      case 'CVSS_V2': {
        const v = new cvss.Cvss2(text);
        return v.isBaseFullyDefined() ? finite(v.calculateScores().base) : null;
      }
      case 'CVSS_V3': {
        const v = text.startsWith('CVSS:3.0/')
          ? new cvss.Cvss3P0(text)
          : text.startsWith('CVSS:3.1/')
            ? new cvss.Cvss3P1(text)
            : null;
        return v?.isBaseFullyDefined() ? finite(v.calculateScores().base) : null;
      }
      case 'CVSS_V4': {
        if (!text.startsWith('CVSS:4.0/')) return null;
        const v = new cvss.Cvss4P0(text);
        return v.isBaseFullyDefined() ? finite(v.calculateScores().baseMetricsOnly) : null;
      }
      default:
        return null;
    }
  } catch {
    // The calculator throws on unknown metrics or values; such a vector carries no score.
    return null;
  }
}

function finite(score: number | undefined): number | null {
  return typeof score === 'number' && Number.isFinite(score) ? score : null;
}

// Newer CVSS versions describe the same advisory more precisely, so they win over older ones.
const CVSS_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'] as const;

/** The severity from a `severity[]` list: the newest CVSS version present, its highest score. */
export function severityFromCvss(entries: readonly OsvSeverity[] | undefined): Severity | null {
  if (!entries?.length) return null;
  for (const type of CVSS_PREFERENCE) {
    let best: Severity | null = null;
    for (const entry of entries) {
      if (entry.type !== type) continue;
      const score = scoreCvssVector(type, entry.score);
      if (score !== null && (!best || score > best.score!)) {
        best = { level: levelForScore(score), score, source: type, vector: entry.score };
      }
    }
    if (best) return best;
  }
  return null;
}

function severityFromWord(databaseSpecific: Record<string, unknown> | undefined): Severity | null {
  const word = databaseSpecific?.severity;
  if (typeof word !== 'string') return null;
  const level = levelForWord(word);
  return level === 'Unknown' ? null : { level, score: null, source: 'database_specific', vector: word };
}

/** The severity one affected entry carries itself (its own CVSS vectors or word), if any. */
export function affectedSeverity(affected: OsvAffected): Severity | null {
  return severityFromCvss(affected.severity) ?? severityFromWord(affected.database_specific);
}

const RANK = new Map(SEVERITY_LEVELS.map((level, i) => [level, i]));

/** The higher of two severities (by level, then score). */
export function higherSeverity(a: Severity, b: Severity): Severity {
  const byLevel = RANK.get(a.level)! - RANK.get(b.level)!;
  if (byLevel !== 0) return byLevel < 0 ? a : b;
  return (b.score ?? -1) > (a.score ?? -1) ? b : a;
}

/**
 * The severity of an advisory: its own `severity[]` CVSS vectors, else the highest of its
 * affected entries' vectors, else `database_specific.severity` (the advisory's, then the
 * highest affected entry's), else Unknown.
 */
export function advisorySeverity(advisory: OsvAdvisory): Severity {
  const affected = advisory.affected ?? [];
  const pick = (list: (Severity | null)[]): Severity | null =>
    list.reduce<Severity | null>((best, s) => (s ? (best ? higherSeverity(best, s) : s) : best), null);
  return (
    severityFromCvss(advisory.severity) ??
    pick(affected.map((a) => severityFromCvss(a.severity))) ??
    severityFromWord(advisory.database_specific) ??
    pick(affected.map((a) => severityFromWord(a.database_specific))) ??
    UNKNOWN_SEVERITY
  );
}
