import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';

const ROUNDS = 9;
/** Packages the overview counts, spread over REPOS repositories, so its queries have rows to group. */
const PACKAGES = 300;
const REPOS = 3;
const JS_BUDGET_BYTES = 100 * 1024;
const INTERACTIVE_BUDGET_MS = 300;

/** Figures of the web interface: the overview's script weight and its time to interactive. */
export interface WebFigures {
  scriptBytesGzip: number;
  interactiveMsMedian: number;
  interactiveMsMax: number;
  /** The sign-in page's median in the same run: a page that reads no data, the floor. */
  floorMsMedian: number;
}

async function call(
  base: string,
  key: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(base + url, {
    method,
    headers: { 'X-Api-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** PACKAGES small raw packages over REPOS repositories, every tenth quarantined. */
async function seed(base: string, key: string): Promise<void> {
  for (let r = 0; r < REPOS; r++) await call(base, key, 'POST', '/repos/acme/', { name: `repo-${r}` });
  for (let i = 0; i < PACKAGES; i++) {
    const repo = `repo-${i % REPOS}`;
    const upload = (await call(base, key, 'POST', `/files/acme/${repo}/`, {
      filename: `pkg-${i}.bin`,
      method: 'put',
    })) as { identifier: string; upload_url: string };
    const put = await fetch(upload.upload_url, { method: 'PUT', body: `bytes of package ${i}` });
    if (!put.ok) throw new Error(`PUT ${put.status}`);
    const pkg = (await call(base, key, 'POST', `/packages/acme/${repo}/upload/raw/`, {
      package_file: upload.identifier,
      name: `pkg-${i}`,
      version: '1.0.0',
    })) as { slug_perm: string };
    if (i % 10 === 0)
      await call(base, key, 'POST', `/packages/acme/${repo}/${pkg.slug_perm}/quarantine/`, {});
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Seeds PACKAGES packages, signs in once, then loads the sign-in page (the floor: no data read)
 * and the security overview ROUNDS times each in Debian's Chromium (a warm browser, a fresh page
 * each time) and reads the navigation timing of each load up to DOMContentLoaded with the
 * deferred script run; sums the compressed size of every script the overview loads. Prints both
 * against the budgets (100 KB, 300 ms) and the overview ÷ floor ratio; never fails on them.
 */
export async function benchWeb(): Promise<WebFigures> {
  const executablePath = process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.log(`web: skipped, no Chromium at ${executablePath} (.ci/tools.d/chromium.sh installs it)`);
    return { scriptBytesGzip: 0, interactiveMsMedian: 0, interactiveMsMax: 0, floorMsMedian: 0 };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-web-'));
  const { app, ctx } = await buildApp(parseConfig({ dataDir, logLevel: 'silent', port: 0 }));
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  try {
    const init = await initOrg(ctx, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('org existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    await seed(ctx.baseUrl, init.apiKey);
    const context = await browser.newContext();
    const signIn = await context.newPage();
    await signIn.goto(`${ctx.baseUrl}/sign-in`);
    await signIn.fill('input[name="api_key"]', init.apiKey);
    await signIn.click('button[type="submit"]');
    await signIn.waitForURL(/\/ui\/acme\/$/);
    const scripts = new Map<string, number>();
    /** Loads `url` ROUNDS times, each in a fresh page, and returns each load's DOMContentLoaded end. */
    const loads = async (url: string, countScripts: boolean): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const page = await context.newPage();
        if (countScripts)
          page.on('response', async (res) => {
            if (res.request().resourceType() === 'script')
              scripts.set(res.url(), zlib.gzipSync(await res.body()).length);
          });
        await page.goto(url, { waitUntil: 'load' });
        times.push(
          (await page.evaluate(
            'performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd',
          )) as number,
        );
        await page.close();
      }
      return times;
    };
    const floor = await loads(`${ctx.baseUrl}/sign-in`, false);
    const times = await loads(`${ctx.baseUrl}/ui/acme/`, true);
    const figures = {
      scriptBytesGzip: [...scripts.values()].reduce((a, b) => a + b, 0),
      interactiveMsMedian: median(times),
      interactiveMsMax: Math.max(...times),
      floorMsMedian: median(floor),
    };
    console.log(
      `web: overview scripts ${figures.scriptBytesGzip} bytes gzip (budget ${JS_BUDGET_BYTES}, ${((figures.scriptBytesGzip / JS_BUDGET_BYTES) * 100).toFixed(1)}%)`,
    );
    console.log(
      `web: overview of ${PACKAGES} packages in ${REPOS} repositories interactive (DOMContentLoaded) median ${figures.interactiveMsMedian.toFixed(1)} ms, max ${figures.interactiveMsMax.toFixed(1)} ms over ${ROUNDS} loads (budget ${INTERACTIVE_BUDGET_MS} ms, median ÷ budget ${(figures.interactiveMsMedian / INTERACTIVE_BUDGET_MS).toFixed(2)})`,
    );
    console.log(
      `web: floor (the sign-in page, no data read) median ${figures.floorMsMedian.toFixed(1)} ms; overview ÷ floor ${(figures.interactiveMsMedian / Math.max(0.1, figures.floorMsMedian)).toFixed(2)}`,
    );
    return figures;
  } finally {
    await browser.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
