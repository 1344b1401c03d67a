import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { fuzzConfig, parseJunit, runSchemathesis, type FuzzOutcome } from './schemathesis.js';
import { seedForFuzzing, type FuzzSeed } from './seed.js';

/**
 * Cases per operation in the fuzzing phase: enough, with the coverage phase's boundary cases, to
 * reach every validator in about two minutes. AIRLOCK_FUZZ_EXAMPLES and AIRLOCK_FUZZ_SEED ask for
 * a deeper or different run by hand.
 */
const MAX_EXAMPLES = Number(process.env.AIRLOCK_FUZZ_EXAMPLES ?? 4);
/** A fixed hypothesis seed: a failure seen once is seen again on the next run. */
const HYPOTHESIS_SEED = Number(process.env.AIRLOCK_FUZZ_SEED ?? 1717);
/** Time one run may take; a deeper run by hand gets proportionally more. */
const RUN_TIMEOUT_MS = 75_000 * Math.max(4, MAX_EXAMPLES);
const KEY_ENV = 'AIRLOCK_FUZZ_API_KEY';

function summary(name: string, outcome: FuzzOutcome): string {
  const lines = [
    `${name}: ${outcome.operations} operations, ${outcome.cases} cases, ${outcome.failures.length} failures`,
  ];
  for (const failure of outcome.failures)
    lines.push(`  ${failure.operation}\n    ${failure.message.slice(0, 2000)}`);
  return lines.join('\n');
}

describe('the API under schemathesis, generated from its own OpenAPI document', () => {
  let server: TestServer;
  let seed: FuzzSeed;
  let document: { paths: Record<string, Record<string, unknown>> };
  let workDir: string;
  let upstream: http.Server;

  beforeAll(async () => {
    // The seeded npm upstreams' registry: a real one would know none of the fuzzer's names.
    upstream = http.createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}'),
    );
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    // Throttling off: the fuzzer's thousands of requests must reach the handlers, not a 429.
    server = await startTestServer({
      limits: { requestsPerHour: 0, failedAuthPerHour: 0 },
      allowLoopbackIssuers: true,
    });
    seed = await seedForFuzzing(server, `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    document = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof document;
    workDir = tempDir('airlock-fuzz-');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function fuzz(name: string, keyed: boolean, phases: string): Promise<FuzzOutcome> {
    const configFile = path.join(workDir, `${name}.toml`);
    fs.writeFileSync(configFile, fuzzConfig(document, seed, keyed ? KEY_ENV : undefined));
    const outcome = await runSchemathesis({
      schemaUrl: `${server.url}/openapi.json`,
      configFile,
      workDir,
      maxExamples: MAX_EXAMPLES,
      seed: HYPOTHESIS_SEED,
      phases,
      timeoutMs: RUN_TIMEOUT_MS - 5_000,
      env: keyed ? { [KEY_ENV]: server.adminKey } : {},
    });
    process.stdout.write(`${summary(name, outcome)}\n`);
    return outcome;
  }

  it(
    'answers every operation with the org admin key without a 5xx, a hang or a response off its schema',
    async () => {
      const operations = Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
      const outcome = await fuzz('with-key', true, 'examples,coverage,fuzzing');
      expect(outcome.operations).toBe(operations);
      expect(outcome.cases).toBeGreaterThan(operations);
      if (outcome.failures.length) throw new Error(summary('with the admin key', outcome));
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'answers every operation without credentials without a 5xx, a hang or a response off its schema',
    async () => {
      // Without credentials nearly every request stops at the access check, before any validator:
      // the coverage phase's boundary cases would add minutes and reach nothing new.
      const outcome = await fuzz('anonymous', false, 'examples,fuzzing');
      expect(outcome.operations).toBe(
        Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0),
      );
      if (outcome.failures.length) throw new Error(summary('without credentials', outcome));
    },
    RUN_TIMEOUT_MS,
  );
});

describe('reading the JUnit report', () => {
  it('counts every operation and names the ones with a failure or an error', () => {
    const xml = `<?xml version="1.0"?><testsuites><testsuite tests="3">
      <testcase name="GET /a/" time="0.1" />
      <testcase name="POST /b/{id}/" time="0.2"><failure type="failure" message="Server error &amp; more">500</failure></testcase>
      <testcase name="PUT /c/"><error type="error" message="Read timed out">timeout</error></testcase>
    </testsuite></testsuites>`;
    const { operations, failures } = parseJunit(xml);
    expect(operations).toBe(3);
    expect(failures.map((f) => f.operation)).toEqual(['POST /b/{id}/', 'PUT /c/']);
    expect(failures[0]!.message).toContain('Server error & more');
  });
});
