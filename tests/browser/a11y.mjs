#!/usr/bin/env node
// Browser accessibility checks for regiomonitor's server-rendered pages.
//
// Usage:
//   BASE_URL=http://127.0.0.1:8080 node a11y.mjs / /gemeenten/GM0352 /plannen/buurt-als-ecosysteem 404:/bestaat-niet
//
// A path is checked for HTTP 200; prefix it with `NNN:` to expect another status instead
// (e.g. `404:/bestaat-niet` checks the not-found page: status 404, a visible h1, axe clean).
//
// Environment:
//   BASE_URL       origin (and optional path prefix) of the running app; default http://127.0.0.1:8080
//   CHROMIUM_PATH  Chromium executable; default /usr/bin/chromium (Debian package `chromium`).
//                  No browser is ever downloaded: playwright-core only drives this one.
//   SCREENSHOT_DIR where full-page PNGs go; default ./screenshots beside this file
//   A11Y_CONCURRENCY how many paths are checked at once; default 3
//
// For every path the page is opened twice:
//   1. JavaScript enabled: HTTP 200 (or the expected status), a visible <h1>, axe-core WCAG 2.0/2.1 A+AA scan, screenshot.
//   2. JavaScript disabled: HTTP 200 (or the expected status) and a visible <h1> (the site must work without JS).
// In both runs every request the page makes must stay under BASE_URL (the app must never fetch
// from the internet; such requests are recorded and aborted), and same-origin sub-resources
// (CSS, JS, images) must not answer with an HTTP error.
//
// Exit code: 0 when every check passed, 1 otherwise. The last line reads "a11y: N passed, N failed"
// (counted per path).

import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || path.join(here, 'screenshots');
const NAV_TIMEOUT_MS = 30_000;
const CONCURRENCY = Math.max(1, Number(process.env.A11Y_CONCURRENCY) || 3);
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const paths = process.argv.slice(2);
if (paths.length === 0) paths.push('/');

// "404:/bestaat-niet" -> { path: '/bestaat-niet', status: 404 }; "/x" -> { path: '/x', status: 200 };
// "glance:/" -> { path: '/', status: 200, glance: true }: also checks the start page's promise.
function parseArg(arg) {
  const glance = arg.startsWith('glance:');
  if (glance) arg = arg.slice('glance:'.length);
  const m = /^(\d{3}):(.*)$/.exec(arg);
  return m ? { path: m[2], status: Number(m[1]), glance } : { path: arg, status: 200, glance };
}

// The start page answers "per gemeente, what runs and what is planned" in one look: at
// 1280×800 the counts of every gemeente are on the first screen and nothing scrolls sideways.
async function checkGlance(browser, url) {
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'nl-NL' });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const facts = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('table.rm-gcounts tbody tr')];
      return {
        scrollWidth: document.documentElement.scrollWidth,
        rows: rows.length,
        below: rows.filter((r) => r.getBoundingClientRect().bottom > window.innerHeight).map((r) => r.innerText.split('\t')[0]),
        right: rows.filter((r) => r.getBoundingClientRect().right > window.innerWidth).length,
      };
    });
    if (facts.scrollWidth > 1280) problems.push(`the page scrolls sideways at 1280 px (${facts.scrollWidth} px wide)`);
    if (facts.rows !== 24) problems.push(`${facts.rows} gemeenten in the counts table (expected 24)`);
    if (facts.below.length > 0) problems.push(`below the first screen at 1280×800: ${facts.below.join(', ')}`);
    if (facts.right > 0) problems.push(`${facts.right} count rows extend past the right edge`);
  } finally {
    await context.close();
  }
  return problems;
}

let baseOrigin;
try {
  baseOrigin = new URL(BASE_URL).origin;
} catch {
  console.error(`BASE_URL is not a valid URL: ${JSON.stringify(BASE_URL)}`);
  process.exit(1);
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// A request is "internal" when it goes to BASE_URL (same origin and under its path prefix).
// data:/blob:/about: URLs never touch the network (e.g. SVG data URIs in the utrecht CSS).
function isInternal(url) {
  if (/^(data|blob|about):/i.test(url)) return true;
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.origin !== baseOrigin) return false;
  return (u.origin + u.pathname).startsWith(BASE_URL);
}

function urlFor(p) {
  if (/^https?:\/\//i.test(p)) return p; // allowed, but will be flagged if it is not under BASE_URL
  return BASE_URL + (p.startsWith('/') ? p : '/' + p);
}

function screenshotName(p) {
  const s = p
    .replace(/^\/+|\/+$/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return (s || 'root') + '.png';
}

async function newContext(browser, javaScriptEnabled) {
  const context = await browser.newContext({
    javaScriptEnabled,
    // axe is injected as an inline <script>; a strict Content-Security-Policy from the app
    // must not stop the scan. Only the JS run needs this.
    bypassCSP: javaScriptEnabled,
    viewport: { width: 1280, height: 900 },
    locale: 'nl-NL',
    serviceWorkers: 'block',
  });
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  context.setDefaultTimeout(NAV_TIMEOUT_MS);
  return context;
}

// Opens `url` in a fresh page of `context` (warnings go to `log`), returns { page, problems, external } with the basic
// checks (status 200, visible h1, no external requests, no broken sub-resources) done.
async function openAndCheck(context, url, label, expectedStatus, log) {
  const page = await context.newPage();
  const problems = [];
  const external = new Set();
  const brokenSubresources = [];

  page.on('request', (req) => {
    if (!isInternal(req.url())) external.add(req.url());
  });
  // Never let a request leave the machine, whatever the page asks for.
  await page.route('**/*', (route) => {
    if (isInternal(route.request().url())) return route.continue();
    return route.abort('blockedbyclient');
  });
  page.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) return;
    if (isInternal(res.url()) && res.status() >= 400 && !/\/favicon\.ico$/.test(res.url())) {
      brokenSubresources.push(`${res.status()} ${res.url()}`);
    }
  });
  page.on('pageerror', (err) => {
    log(`  [${label}] warning: uncaught page error: ${err.message.split('\n')[0]}`);
  });

  let response = null;
  try {
    response = await page.goto(url, { waitUntil: 'load' });
    // Let htmx "load"-triggered requests and the like settle, but don't hang on long-polling.
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
  } catch (err) {
    problems.push(`navigation failed: ${err.message.split('\n')[0]}`);
  }

  if (response) {
    if (response.status() !== expectedStatus) {
      problems.push(`HTTP status ${response.status()} (expected ${expectedStatus})`);
    }
    const visibleH1 = await page.locator('h1').filter({ visible: true }).count();
    if (visibleH1 === 0) problems.push('no visible <h1>');
  } else if (problems.length === 0) {
    problems.push('no HTTP response for the main document');
  }

  for (const u of external) problems.push(`requested a URL outside BASE_URL: ${u}`);
  for (const b of brokenSubresources) problems.push(`sub-resource failed: ${b}`);
  return { page, problems };
}

function formatViolation(v) {
  const lines = [`    ✗ ${v.id} [${v.impact ?? 'n/a'}] ${v.help} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'})`];
  lines.push(`      ${v.helpUrl}`);
  for (const node of v.nodes) {
    const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ');
    lines.push(`      - ${target}`);
    if (node.failureSummary) {
      const summary = node.failureSummary.replace(/\s*\n\s*/g, ' ');
      lines.push(`        ${summary}`);
    }
  }
  return lines.join('\n');
}

async function checkPath(browser, arg) {
  const lines = [];
  const log = (line) => lines.push(line);
  const { path: p, status: expectedStatus, glance } = parseArg(arg);
  const url = urlFor(p);
  const failures = [];
  if (glance) {
    const problems = await checkGlance(browser, url);
    failures.push(...problems.map((m) => `één oogopslag: ${m}`));
    if (problems.length === 0) log('  één oogopslag: 24 gemeenten on the first screen at 1280×800, no sideways scroll');
  }
  let violations = [];
  let incomplete = 0;
  log(`\n== ${p}  (${url}${expectedStatus === 200 ? '' : `, expecting HTTP ${expectedStatus}`})`);

  // 1. JavaScript enabled: basic checks, axe, screenshot.
  const jsContext = await newContext(browser, true);
  try {
    const { page, problems } = await openAndCheck(jsContext, url, 'js', expectedStatus, log);
    failures.push(...problems.map((m) => `js: ${m}`));
    if (!problems.some((m) => m.startsWith('navigation failed') || m.startsWith('no HTTP response'))) {
      try {
        await page.addScriptTag({ content: axeSource });
        const results = await page.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] }),
          AXE_TAGS,
        );
        violations = results.violations;
        incomplete = results.incomplete.length;
      } catch (err) {
        failures.push(`js: axe-core could not run: ${err.message.split('\n')[0]}`);
      }
      try {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = path.join(SCREENSHOT_DIR, screenshotName(p));
        await page.screenshot({ path: file, fullPage: true });
        log(`  screenshot: ${path.relative(process.cwd(), file) || file}`);
      } catch (err) {
        log(`  warning: screenshot failed: ${err.message.split('\n')[0]}`);
      }
    }
  } finally {
    await jsContext.close();
  }

  // 2. JavaScript disabled: the server-rendered page must stand on its own.
  const noJsContext = await newContext(browser, false);
  try {
    const { problems } = await openAndCheck(noJsContext, url, 'no-js', expectedStatus, log);
    failures.push(...problems.map((m) => `no-js: ${m}`));
  } finally {
    await noJsContext.close();
  }

  for (const v of violations) log(formatViolation(v));
  for (const f of failures) log(`  ✗ ${f}`);

  const nodeCount = violations.reduce((n, v) => n + v.nodes.length, 0);
  const ok = failures.length === 0 && violations.length === 0;
  log(
    `  ${ok ? 'PASS' : 'FAIL'} ${p}: ${violations.length} axe violation${violations.length === 1 ? '' : 's'}` +
      ` (${nodeCount} node${nodeCount === 1 ? '' : 's'}), ${incomplete} to review by hand,` +
      ` ${failures.length} other failure${failures.length === 1 ? '' : 's'}`,
  );
  return { ok, lines };
}

async function main() {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    console.error(`could not launch Chromium at ${CHROMIUM_PATH}: ${err.message.split('\n')[0]}`);
    console.error('install it with `apt-get install -y chromium` or set CHROMIUM_PATH');
    console.log('a11y: 0 passed, 1 failed');
    return 1;
  }

  console.log(`a11y: ${paths.length} path(s) against ${BASE_URL} with ${CHROMIUM_PATH} (${browser.version()}), axe-core tags ${AXE_TAGS.join(',')}`);
  let passed = 0;
  let failed = 0;
  // Paths are checked CONCURRENCY at a time; each path's report is printed whole, in order.
  const results = new Array(paths.length);
  let next = 0;
  async function worker() {
    while (next < paths.length) {
      const n = next++;
      try {
        results[n] = await checkPath(browser, paths[n]);
      } catch (err) {
        results[n] = { ok: false, lines: [`  ✗ ${paths[n]}: unexpected error: ${err.stack || err}`] };
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, worker));
    for (const { ok, lines } of results) {
      for (const line of lines) console.log(line);
      if (ok) passed++;
      else failed++;
    }
  } finally {
    await browser.close();
  }
  console.log(`\na11y: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
