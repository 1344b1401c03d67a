import type { DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import type { TestServer } from '../helpers/server.js';

/** The job a Jenkins-style ID token is for, and the claim rule that trusts it. */
export const JENKINS_JOB = 'job/acme-app/job/main';

/** A service account trusted through an OIDC provider that accepts Jenkins-style tokens of one job. */
export interface JenkinsTrust {
  serviceSlug: string;
  /** Signs a fresh ID token as Jenkins' OpenID Connect Provider plugin would issue it for the job. */
  idToken(claims?: Record<string, unknown>): Promise<string>;
}

async function postJson(server: TestServer, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': server.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Creates a service account in `acme` and an OIDC provider for the local issuer whose claim rule
 * pins the Jenkins job (`sub`). Tokens carry what the Jenkins plugin puts in them (`sub` the job,
 * `build_number`, the audience) and none of GitHub's claims.
 */
export async function trustJenkinsJob(
  server: TestServer,
  issuer: DevIssuer,
  name = 'jenkins-ci',
): Promise<JenkinsTrust> {
  const service = await postJson(server, '/orgs/acme/services/', { name, role: 'Member' });
  const serviceSlug = String(service.slug);
  await postJson(server, '/orgs/acme/openid-connect/', {
    name: `Jenkins ${name}`,
    enabled: true,
    provider_url: issuer.issuer,
    claims: { sub: 'job/acme-app/.*' },
    service_accounts: [serviceSlug],
    audience: 'airlock',
  });
  const github = Object.fromEntries(
    [
      'ref',
      'sha',
      'repository',
      'repository_owner',
      'repository_owner_id',
      'repository_id',
      'repository_visibility',
      'run_id',
      'run_number',
      'run_attempt',
      'actor',
      'actor_id',
      'workflow',
      'workflow_ref',
      'workflow_sha',
      'job_workflow_ref',
      'job_workflow_sha',
      'head_ref',
      'base_ref',
      'event_name',
      'ref_type',
      'ref_protected',
      'runner_environment',
    ].map((claim) => [claim, undefined]),
  );
  return {
    serviceSlug,
    idToken: (claims = {}) =>
      issuer.sign({ ...github, sub: JENKINS_JOB, aud: 'airlock', build_number: 42, ...claims }),
  };
}
