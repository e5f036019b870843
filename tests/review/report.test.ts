// `lifeboat logs report RUN --html FILE`, opened in a real headless Chromium (Debian's, at
// /usr/bin/chromium): no network request of any kind, every step of the run shown, failures and
// collapsible output, all journal text escaped. A screenshot is left in tests/.tmp/report.png.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifeboat, ROOT } from '../helpers/cli.js';
import { RecordedRuns, recordDrills } from './helpers/recorded-runs.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = join(ROOT, 'tests/.tmp');
const REPORT = join(OUT, 'report.html');
const SCREENSHOT = join(OUT, 'report.png');

const STEPS = [
  { id: 'import-pool', title: 'Import the pool <b>tank</b> & <img src=http://127.0.0.1:9/pixel.png>' },
  { id: 'mount', title: 'Mount the datasets' },
  { id: 'start-app', title: 'Start the app' },
  { id: 'check-app', title: 'Check the app answers' },
];

const runs = new RecordedRuns();
let profile: string;
let context: BrowserContext;
let page: Page;
let html: string;
/** The broken drill the report is of: import-pool done (it sleeps 0.6s), mount failed at its check. */
let broken: string;
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  // Not a skip: without the browser this acceptance check cannot be made, and must say so.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the HTML report is checked in a real browser. Install it with \`apt-get install -y chromium\` (.ci/run does).`);
  }
  ({ broken } = await recordDrills(runs));
  mkdirSync(OUT, { recursive: true });
  rmSync(REPORT, { force: true });
  const result = await lifeboat(['logs', 'report', broken, '--html', REPORT, '--logs', runs.logs]);
  if (result.code !== 0) throw new Error(`logs report failed (${result.code}): ${result.stderr}`);
  html = readFileSync(REPORT, 'utf8');

  profile = mkdtempSync(join(tmpdir(), 'lifeboat-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
  await page.goto(pathToFileURL(REPORT).href, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  runs.cleanup();
});

describe('lifeboat logs report --html, in headless Chromium', () => {
  it('is one self-contained file: no script, stylesheet link, image, frame, import or url()', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const tag of ['<script', '<link', '<img', '<iframe', '<object', '<embed', '<base']) expect(html.toLowerCase()).not.toContain(tag);
    expect(html).not.toContain('url(');
    expect(html).not.toContain('@import');
    expect(html).toContain("default-src 'none'");
  });

  it('makes no network request: the only request is the file:// page itself, and nothing was blocked', async () => {
    await page.waitForTimeout(300);
    expect(requests).toEqual([pathToFileURL(REPORT).href]);
    expect(consoleErrors).toEqual([]);
    // Every URL-bearing attribute and style in the rendered DOM is a same-page fragment at most.
    // In-page code as text: the test typecheck has no DOM library.
    const urls = await page.evaluate<string[]>(`(() => {
      const found = [];
      for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
          if (/^(src|href|xlink:href|srcset|poster|action|data|formaction|background)$/i.test(attr.name)) found.push(attr.value);
          if (attr.name === 'style' && /url\\(/i.test(attr.value)) found.push(attr.value);
        }
      }
      for (const sheet of document.styleSheets) for (const rule of sheet.cssRules) if (/url\\(/i.test(rule.cssText)) found.push(rule.cssText);
      return found;
    })()`);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^#[\w-]+$/);
    expect(urls.join(' ')).not.toMatch(/(https?:)?\/\//);
  });

  it('shows every step of the run, its id and its title as text (markup in the journal stays text)', async () => {
    const text = await page.locator('body').innerText();
    for (const step of STEPS) {
      expect(text, step.id).toContain(step.id);
      expect(text, step.id).toContain(step.title);
    }
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('b').count()).toBe(0);
  });

  it('draws a Gantt chart: a bar per step that ran, placed by start and length, status in words beside it', async () => {
    const bars = await page
      .locator('svg.gantt rect')
      .evaluateAll((rects) =>
        rects.map((r) => ({ title: r.querySelector('title')?.textContent ?? '', x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')), fill: r.getAttribute('fill') })),
      );
    const bar = (id: string) => bars.find((b) => b.title.startsWith(`1.${id === 'import-pool' ? 1 : 2} ${id}`))!;
    expect(bar('import-pool').title).toContain(': done,');
    expect(bar('mount').title).toContain(': failed,');
    expect(bar('mount').x).toBeGreaterThanOrEqual(bar('import-pool').x + bar('import-pool').width - 1);
    // Each bar is as long as its step took by the journal (the mount stopped the run: it runs to the
    // run's end). The import sleeps 0.6s and the mount only echoes and checks a file, but on a loaded
    // machine the mount may take as long: the bars are compared with what the journal says each took.
    const events = runs.journal(broken);
    const importMs = runs.stepMs(broken, 'import-pool');
    const mountMs = Date.parse(events.at(-1)!.time) - Date.parse(events.find((e) => e.kind === 'step.started' && e.step === 'mount')!.time);
    if (Math.abs(importMs - mountMs) > 0.1 * Math.max(importMs, mountMs)) {
      expect(bar('import-pool').width > bar('mount').width, `import-pool ${importMs} ms, mount ${mountMs} ms: ${JSON.stringify(bars)}`).toBe(importMs > mountMs);
    }
    expect(bar('import-pool').fill).not.toBe(bar('mount').fill);
    const chart = await page.locator('svg.gantt').textContent();
    expect(chart).toContain('✔ done');
    expect(chart).toContain('✖ failed');
    expect(chart).toContain('○ not reached');
  });

  it('shows the failure (the check, the reason) and keeps output in closed <details>, escaped', async () => {
    const failures = await page.locator('#failures').innerText();
    expect(failures).toContain('mount');
    expect(failures).toContain('the datasets are mounted');
    const details = page.locator('#step-import-pool details');
    expect(await details.count()).toBe(1);
    expect(await details.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
    expect(await details.locator('pre').textContent()).toContain('imported <script>alert(1)</script>');
    await details.locator('summary').click();
    expect(await details.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    expect(await page.locator('body').innerText()).toContain('RTO');
  });

  it('writes a screenshot of the report', async () => {
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    console.log(`report screenshot: ${SCREENSHOT}`);
  });

  it('renders the same steps with plain `chromium --dump-dom` (the offline flags, its own profile)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-dump-'));
    try {
      const result = await execa(CHROMIUM, [...FLAGS, `--user-data-dir=${dir}`, '--dump-dom', pathToFileURL(REPORT).href], { reject: false, timeout: 60_000 });
      expect(result.exitCode).toBe(0);
      for (const step of STEPS) expect(result.stdout).toContain(step.id);
      expect(result.stdout).toContain('Import the pool &lt;b&gt;tank&lt;/b&gt; &amp; &lt;img src=http://127.0.0.1:9/pixel.png&gt;');
      expect(result.stdout).not.toMatch(/<(img|script)\b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
