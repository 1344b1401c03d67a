import type { DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import type { TestServer } from '../helpers/server.js';

/** The Jenkins controller the tokens come from (its `JENKINS_URL`). */
export const JENKINS_URL = 'https://jenkins.example.com/';

/**
 * The job an ID token is for: the OpenID Connect Provider plugin's default `sub` is the build's
 * `JOB_URL`, the job's full URL — here the `main` branch of the multibranch job `acme-app`.
 */
export const JENKINS_JOB = `${JENKINS_URL}job/acme-app/job/main/`;

/** The claim rule that trusts every branch of `acme-app` (a prefix: it ends in `/.*`). */
export const JENKINS_SUB_RULE = `${JENKINS_URL}job/acme-app/.*`;

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
 * pins the Jenkins job (`sub`). Tokens carry the claim set the Jenkins plugin signs by default
 * for a build: `iss`, `aud` (the credential's audience), `iat`, `exp`, `sub` (the job's URL) and
 * `build_number` (an integer), and none of GitHub's claims.
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
    claims: { sub: JENKINS_SUB_RULE },
    service_accounts: [serviceSlug],
    audience: 'airlock',
  });
  const github = Object.fromEntries(
    [
      // The plugin signs neither an id nor a not-before time.
      'jti',
      'nbf',
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
      // The plugin's tokens live an hour.
      issuer.sign(
        { ...github, sub: JENKINS_JOB, aud: 'airlock', build_number: 42, ...claims },
        { expiresIn: 3600 },
      ),
  };
}
