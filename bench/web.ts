import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';

const ROUNDS = 9;
const JS_BUDGET_BYTES = 100 * 1024;
const INTERACTIVE_BUDGET_MS = 300;

/** Figures of the web interface: the overview's script weight and its time to interactive. */
export interface WebFigures {
  scriptBytesGzip: number;
  interactiveMsMedian: number;
  interactiveMsMax: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Signs in once, then loads the security overview ROUNDS times in Debian's Chromium (a warm
 * browser, a fresh page each time) and reads the navigation timing of each load up to
 * DOMContentLoaded with the deferred script run; sums the compressed size of every script the
 * page loads. Prints both against the budgets (100 KB, 300 ms); never fails on them.
 */
export async function benchWeb(): Promise<WebFigures> {
  const executablePath = process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.log(`web: skipped, no Chromium at ${executablePath} (.ci/tools.d/chromium.sh installs it)`);
    return { scriptBytesGzip: 0, interactiveMsMedian: 0, interactiveMsMax: 0 };
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
    const context = await browser.newContext();
    const signIn = await context.newPage();
    await signIn.goto(`${ctx.baseUrl}/sign-in`);
    await signIn.fill('input[name="api_key"]', init.apiKey);
    await signIn.click('button[type="submit"]');
    await signIn.waitForURL(/\/ui\/acme\/$/);
    const scripts = new Map<string, number>();
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const page = await context.newPage();
      page.on('response', async (res) => {
        if (res.request().resourceType() === 'script')
          scripts.set(res.url(), zlib.gzipSync(await res.body()).length);
      });
      await page.goto(`${ctx.baseUrl}/ui/acme/`, { waitUntil: 'load' });
      const ms = (await page.evaluate(
        'performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd',
      )) as number;
      times.push(ms);
      await page.close();
    }
    const figures = {
      scriptBytesGzip: [...scripts.values()].reduce((a, b) => a + b, 0),
      interactiveMsMedian: median(times),
      interactiveMsMax: Math.max(...times),
    };
    console.log(
      `web: overview scripts ${figures.scriptBytesGzip} bytes gzip (budget ${JS_BUDGET_BYTES}, ${((figures.scriptBytesGzip / JS_BUDGET_BYTES) * 100).toFixed(1)}%)`,
    );
    console.log(
      `web: overview interactive (DOMContentLoaded) median ${figures.interactiveMsMedian.toFixed(1)} ms, max ${figures.interactiveMsMax.toFixed(1)} ms over ${ROUNDS} loads (budget ${INTERACTIVE_BUDGET_MS} ms, median ÷ budget ${(figures.interactiveMsMedian / INTERACTIVE_BUDGET_MS).toFixed(2)})`,
    );
    return figures;
  } finally {
    await browser.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
