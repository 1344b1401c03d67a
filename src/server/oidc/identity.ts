import type { CallerIdentity } from '../domain/access.js';

/**
 * Claims copied from a verified token into the caller's identity: GitHub Actions' run
 * coordinates, GitLab's project and pipeline, and the Jenkins OIDC plugin's job and build.
 */
export const IDENTITY_CLAIMS = [
  'repository',
  'repository_owner',
  'workflow',
  'workflow_ref',
  'job_workflow_ref',
  'ref',
  'sha',
  'run_id',
  'run_number',
  'run_attempt',
  'actor',
  'event_name',
  'environment',
  'project_path',
  'pipeline_id',
  'job_id',
  'job',
  'job_name',
  'job_url',
  'build',
  'build_number',
  'build_url',
] as const;

const MAX_VALUE_LENGTH = 500;

/** The CI identity behind a verified token: issuer, subject and the run coordinates it carries. */
export function identityFromClaims(claims: Record<string, unknown>): CallerIdentity {
  const identity: CallerIdentity = {
    issuer: clip(String(claims.iss ?? '')),
    subject: clip(String(claims.sub ?? '')),
  };
  for (const name of IDENTITY_CLAIMS) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') identity[name] = clip(value);
    else if (typeof value === 'number' && Number.isFinite(value)) identity[name] = value;
  }
  return identity;
}

function clip(text: string): string {
  return text.length > MAX_VALUE_LENGTH ? text.slice(0, MAX_VALUE_LENGTH) : text;
}
