import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FuzzSeed } from './seed.js';

/** Where .ci/tools.d/schemathesis.sh puts the `st` command (it exports the same path). */
export function schemathesisBinary(): string {
  const tools = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools');
  return process.env.AIRLOCK_SCHEMATHESIS ?? path.join(tools, 'schemathesis', 'bin', 'st');
}

/** One operation that failed a check, as the JUnit report names it, with the report's message. */
export interface FuzzFailure {
  operation: string;
  message: string;
}

/** What one schemathesis run did: operations tested, cases generated, and the failures. */
export interface FuzzOutcome {
  operations: number;
  cases: number;
  failures: FuzzFailure[];
  /** schemathesis' own output, for a failing test's message. */
  output: string;
}

const PATH_PARAM = /\{([^}]+)\}/g;

/**
 * The seeded object each path parameter of an operation names. Operations that delete, move or
 * rename their object get a victim of their own; parameters left out here are generated freely
 * (the npm package path, OIDC token ids), so that their parsers are fuzzed too.
 */
export function pathValues(method: string, template: string, seed: FuzzSeed): Record<string, string> {
  const destroys = method === 'DELETE';
  const values: Record<string, string> = {};
  for (const [, name] of template.matchAll(PATH_PARAM)) {
    const value = valueOf(name!, method, template, destroys, seed);
    if (value !== undefined) values[name!] = value;
  }
  return values;
}

function valueOf(
  name: string,
  method: string,
  template: string,
  destroys: boolean,
  seed: FuzzSeed,
): string | undefined {
  const under = (prefix: string) => template.startsWith(prefix);
  switch (name) {
    case 'owner':
    case 'org':
    case 'slug':
      return seed.org;
    case 'repo':
      return template === '/repos/{owner}/{repo}/' && method !== 'GET' ? seed.scratchRepo : seed.repo;
    case 'identifier':
      if (under('/packages/')) {
        return destroys || template.endsWith('/move/') ? seed.pkgVictim : seed.pkg;
      }
      return template.endsWith('/abort/') ? seed.uploadVictim : seed.upload;
    case 'format':
      return under('/repos/') ? 'npm' : 'raw';
    case 'slug_perm':
      if (under('/dl/')) return seed.pkg;
      return destroys ? seed.providerVictim : seed.provider;
    case 'filename':
      return seed.pkgFile;
    case 'pkg':
      return seed.pkg;
    case 'scan':
      return seed.scan;
    case 'team':
      return destroys ? seed.teamVictim : seed.team;
    case 'service':
      return destroys ? seed.serviceVictim : seed.service;
    case 'member':
      return seed.member;
    case 'project':
    case 'name':
      return 'fuzz-pkg';
    case 'version':
      return '1.0.0';
    case 'tag':
      return 'latest';
    case 'id': {
      if (under('/webhooks/')) return destroys ? seed.webhookVictim : seed.webhook;
      if (under('/repos/')) return destroys ? seed.upstreamVictim : seed.upstream;
      const kind = (['vulnerability', 'license', 'deny'] as const).find((k) =>
        template.includes(`/${k}-policy/`),
      );
      if (kind) return destroys ? seed.policies[kind].victim : seed.policies[kind].keep;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A TOML basic string. */
function toml(value: string): string {
  return JSON.stringify(value);
}

/**
 * The schemathesis configuration: the seeded path parameters of every operation of `document`,
 * and the API key header when `keyEnv` names the variable that holds it (the key itself never
 * reaches a file or a command line).
 */
export function fuzzConfig(
  document: { paths: Record<string, Record<string, unknown>> },
  seed: FuzzSeed,
  keyEnv?: string,
): string {
  const lines: string[] = [];
  if (keyEnv) lines.push(`headers = { "X-Api-Key" = ${toml(`\${${keyEnv}}`)} }`, '');
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) {
      const values = pathValues(method.toUpperCase(), template, seed);
      if (!Object.keys(values).length) continue;
      lines.push('[[operations]]', `include-name = ${toml(`${method.toUpperCase()} ${template}`)}`);
      lines.push('[operations.parameters]');
      for (const [name, value] of Object.entries(values))
        lines.push(`${toml(`path.${name}`)} = ${toml(value)}`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The operations and failures of schemathesis' JUnit report (one testcase per operation). */
export function parseJunit(xml: string): { operations: number; failures: FuzzFailure[] } {
  const failures: FuzzFailure[] = [];
  let operations = 0;
  const testcase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(testcase)) {
    operations++;
    const body = match[3] ?? '';
    const failed = /<(failure|error)\b([^>]*)>?([\s\S]*?)(<\/(failure|error)>|$)/.exec(body);
    if (!failed) continue;
    const message = attribute(failed[2] ?? '', 'message') ?? failed[3] ?? '';
    failures.push({
      operation: unescapeXml(attribute(match[1] ?? '', 'name') ?? '?'),
      message: unescapeXml(`${message}\n${failed[3] ?? ''}`).trim(),
    });
  }
  return { operations, failures };
}

/** The number of generated test cases schemathesis' summary reports. */
export function parseCases(output: string): number {
  const found = /(\d+) generated/.exec(output);
  return found ? Number(found[1]) : 0;
}

/** Settings of one bounded, reproducible run. */
export interface FuzzRun {
  schemaUrl: string;
  configFile: string;
  workDir: string;
  maxExamples: number;
  seed: number;
  /** schemathesis phases: `coverage` adds the schema's boundary and negative cases. */
  phases: string;
  /** schemathesis is stopped after this long (the run then fails with what it wrote so far). */
  timeoutMs: number;
  env?: Record<string, string>;
}

/**
 * Runs schemathesis once (one worker, the given hypothesis seed, a per-request timeout so a hang
 * is a failure) and reads its JUnit report. Resolves even when checks fail; rejects only when
 * schemathesis could not run at all.
 */
export function runSchemathesis(run: FuzzRun): Promise<FuzzOutcome> {
  const junit = path.join(run.workDir, `junit-${path.basename(run.configFile, '.toml')}.xml`);
  const args = [
    '--config-file',
    run.configFile,
    'run',
    run.schemaUrl,
    '--checks',
    'not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance',
    '--phases',
    run.phases,
    '--max-examples',
    String(run.maxExamples),
    '--seed',
    String(run.seed),
    '--workers',
    '1',
    '--request-timeout',
    '10',
    '--max-redirects',
    '0',
    '--warnings',
    'off',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      schemathesisBinary(),
      args,
      {
        cwd: run.workDir,
        env: { ...process.env, ...run.env, NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: run.timeoutMs,
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!fs.existsSync(junit)) {
          reject(new Error(`schemathesis wrote no report (${error?.message ?? 'no error'}):\n${output}`));
          return;
        }
        const { operations, failures } = parseJunit(fs.readFileSync(junit, 'utf8'));
        resolve({ operations, cases: parseCases(output), failures, output });
      },
    );
  });
}
