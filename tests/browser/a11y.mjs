#!/usr/bin/env node
// Browser accessibility checks for regiomonitor's server-rendered pages.
//
// Usage:
//   BASE_URL=http://127.0.0.1:8080 node a11y.mjs                   # every page type of checked_pages.json
//   BASE_URL=http://127.0.0.1:8080 node a11y.mjs / 404:/bestaat-niet  # only these paths
//
// Without paths it walks the page types in src/features/accessibility/checked_pages.json, the
// list the toegankelijkheidsverklaring (/toegankelijkheid) names: each with its expected
// status and extra checks ("glance": the start page's first screen; "print": the printout;
// "skip": the skip link and the focus ring). A path given here is checked for HTTP 200;
// prefix it with `NNN:` to expect another status (e.g. `404:/bestaat-niet`).
//
// Environment:
//   BASE_URL       origin (and optional path prefix) of the running app; default http://127.0.0.1:8080
//   CHROMIUM_PATH  Chromium executable; default /usr/bin/chromium (Debian package `chromium`).
//                  No browser is ever downloaded: playwright-core only drives this one.
//   SCREENSHOT_DIR where full-page PNGs go; default ./screenshots beside this file
//   A11Y_CONCURRENCY how many paths are checked at once; default 3
//
// For every path the page is opened twice:
//   1. JavaScript enabled: HTTP 200 (or the expected status), a visible <h1>, axe-core WCAG 2.0/2.1 A+AA scan and
//      screenshot at 1280 px; then at 390 and 320 px nothing beyond the viewport outside a labelled,
//      focusable scroll region (WCAG 1.4.10), and axe again at 320 px.
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

// The page types: the paths given, or the list the toegankelijkheidsverklaring names
// (src/features/accessibility/checked_pages.json), each with its expected status and extra checks.
const CHECKED_PAGES = path.join(here, '../../src/features/accessibility/checked_pages.json');
const paths = process.argv.slice(2);
const pages = paths.length > 0
  ? paths.map(parseArg)
  : JSON.parse(readFileSync(CHECKED_PAGES, 'utf8')).map((p) => ({
    path: p.path,
    status: p.status ?? 200,
    glance: (p.checks ?? []).includes('glance'),
    print: (p.checks ?? []).includes('print'),
    skip: (p.checks ?? []).includes('skip'),
  }));
// Every page is checked at these widths: axe at the first and the last, reflow at the narrow ones.
const WIDE = 1280;
const NARROW = [390, 320];

// "404:/bestaat-niet" -> { path: '/bestaat-niet', status: 404 }; "/x" -> { path: '/x', status: 200 };
// "glance:/" -> { path: '/', status: 200, glance: true }: also checks the start page's promise.
function parseArg(arg) {
  const glance = arg.startsWith('glance:');
  if (glance) arg = arg.slice('glance:'.length);
  const m = /^(\d{3}):(.*)$/.exec(arg);
  return m ? { path: m[2], status: Number(m[1]), glance } : { path: arg, status: 200, glance };
}

// WCAG 1.4.10 (Reflow): at `width` CSS px nothing may stick out past the right edge, unless it
// sits inside a scroll region that has a name and takes keyboard focus (a wide table).
async function checkReflow(page, width) {
  return page.evaluate((w) => {
    const problems = [];
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > w) problems.push(`the page scrolls sideways at ${w} px (${scrollWidth} px wide)`);
    const inRegion = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') {
          const named = a.getAttribute('role') === 'region' && (a.hasAttribute('aria-label') || a.hasAttribute('aria-labelledby'));
          const focusable = a.tabIndex >= 0;
          return named && focusable && a.getBoundingClientRect().right <= w + 0.5;
        }
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      if (b.right > w + 0.5 && !inRegion(el)) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.classList.length ? '.' + [...el.classList].join('.') : ''} (right edge at ${Math.round(b.right)} px)`);
    }
    if (out.length) problems.push(`beyond the viewport at ${w} px outside a labelled scroll region: ${out.slice(0, 5).join(', ')}${out.length > 5 ? ` and ${out.length - 5} more` : ''}`);
    return problems;
  }, width);
}

// The contrast ratio of two CSS colours (rgb()/rgba(); transparent counts as white).
function contrastIn(page, pairs) {
  return page.evaluate((pairs) => {
    const lum = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return 1;
      const [r, g, b, a = 1] = m[1].split(',').map((x) => parseFloat(x));
      if (a === 0) return 1;
      const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    return pairs.map(([x, y]) => { const [l1, l2] = [lum(x), lum(y)].sort((p, q) => q - p); return (l1 + 0.05) / (l2 + 0.05); });
  }, pairs);
}

// The skip link shows when it takes focus, with readable text; the focus ring of a link on a
// white background has a contrast of at least 3:1 (WCAG 2.4.7, 1.4.11).
async function checkFocus(page) {
  const problems = [];
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const b = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return { text: el.textContent.trim(), visible: b.width > 20 && b.height > 10 && b.left >= 0 && b.top >= 0 && b.right <= innerWidth, color: cs.color, background: cs.backgroundColor };
  });
  if (skip.text !== 'Naar de inhoud') problems.push(`the first Tab goes to "${skip.text}", not to the skip link`);
  else if (!skip.visible) problems.push('the skip link is not visible when it has focus');
  else {
    const [ratio] = await contrastIn(page, [[skip.color, skip.background]]);
    if (ratio < 4.5) problems.push(`the focused skip link's text has a contrast of ${ratio.toFixed(2)}:1`);
  }
  await page.locator('main a').first().focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const cs = getComputedStyle(document.activeElement);
    return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor };
  });
  if (ring.style === 'none' || ring.width < 2) problems.push(`a focused link in the content has no focus ring (${ring.style} ${ring.width}px)`);
  else {
    const [ratio] = await contrastIn(page, [[ring.color, 'rgb(255, 255, 255)']]);
    if (ratio < 3) problems.push(`the focus ring has a contrast of ${ratio.toFixed(2)}:1 against white`);
  }
  return problems;
}

// A page on paper: the date and the filter in words, and nothing cut off at the width of A4.
// The start page also prints every gemeente and every matrix cell's status in words (its
// printed matrix is split per subregio).
async function checkPrint(page, pdfFile) {
  const problems = [];
  const screen = await page.evaluate(() => ({
    matrix: document.querySelector('table.rm-gcounts') !== null,
    gemeenten: [...document.querySelectorAll('table.rm-gcounts tbody th[scope=row]')].map((th) => th.textContent.trim()),
    cells: document.querySelectorAll('table.rm-matrix td.rm-cell:not(.rm-cell--buiten)').length,
  }));
  const viewport = page.viewportSize();
  await page.emulateMedia({ media: 'print' });
  // A4 portrait less its margins, at 96 px per inch.
  await page.setViewportSize({ width: 700, height: 1000 });
  const paper = await page.evaluate(() => ({
    text: document.body.innerText,
    cells: [...document.querySelectorAll('.rm-print-split td')].filter((td) => td.textContent.trim() !== '–').length,
    columns: [...document.querySelectorAll('.rm-print-split thead th')].map((th) => th.textContent.trim()),
    cut: [...document.querySelectorAll('main .rm-table-scroll, main table')]
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.getAttribute('aria-label') || el.querySelector('caption')?.textContent.trim() || el.tagName),
  }));
  const months = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
  const now = new Date(new Date().toLocaleString('en-US', { timeZone: 'Europe/Amsterdam' }));
  const today = `${now.getDate()} ${months[now.getMonth()]} ${now.getFullYear()}`;
  if (!paper.text.includes(`stand van ${today}`)) problems.push(`the printout does not say "stand van ${today}"`);
  if (!/Filter: \S/.test(paper.text)) problems.push('the printout does not name the filter');
  if (screen.matrix) {
    if (screen.gemeenten.length === 0) problems.push('no gemeenten in the counts table');
    const missing = screen.gemeenten.filter((g) => !paper.columns.includes(g));
    if (missing.length) problems.push(`the printed matrix lacks ${missing.join(', ')}`);
    if (paper.cells !== screen.cells) problems.push(`the printed matrix has ${paper.cells} cells with a status, the screen ${screen.cells}`);
  } else if (paper.cut.length) {
    problems.push(`on A4 these tables lose columns: ${paper.cut.join('; ')}`);
  }
  const pdf = await page.pdf({ path: pdfFile, preferCSSPageSize: true, printBackground: true });
  if (pdf.length < 1000) problems.push('the PDF is empty');
  await page.emulateMedia({ media: 'screen' });
  if (viewport) await page.setViewportSize(viewport);
  return problems;
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

async function runAxe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] }),
    AXE_TAGS,
  );
}

async function checkPath(browser, spec) {
  const lines = [];
  const log = (line) => lines.push(line);
  const { path: p, status: expectedStatus, glance } = spec;
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
        const results = await runAxe(page);
        violations = results.violations;
        incomplete = results.incomplete.length;
      } catch (err) {
        failures.push(`js: axe-core could not run: ${err.message.split('\n')[0]}`);
      }
      if (spec.skip) {
        const problems = await checkFocus(page);
        failures.push(...problems.map((m) => `focus: ${m}`));
        if (problems.length === 0) log('  focus: skip link visible on focus, focus ring at least 3:1');
      }
      if (spec.print) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = path.join(SCREENSHOT_DIR, screenshotName(p).replace(/\.png$/, '.pdf'));
        const problems = await checkPrint(page, file);
        failures.push(...problems.map((m) => `print: ${m}`));
        if (problems.length === 0) log(`  print: A4 with date, filter and no table cut off${p === '/' ? ", every gemeente and every cell's status" : ''} (${path.relative(process.cwd(), file)})`);
      }
      try {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = path.join(SCREENSHOT_DIR, screenshotName(p));
        await page.screenshot({ path: file, fullPage: true });
        log(`  screenshot: ${path.relative(process.cwd(), file) || file}`);
      } catch (err) {
        log(`  warning: screenshot failed: ${err.message.split('\n')[0]}`);
      }
      // The same page on a phone: nothing sticks out sideways; axe again at the narrowest.
      for (const width of NARROW) {
        await page.setViewportSize({ width, height: 800 });
        await page.waitForTimeout(50);
        const problems = await checkReflow(page, width);
        failures.push(...problems.map((m) => `reflow: ${m}`));
        if (width === NARROW[NARROW.length - 1]) {
          try {
            const results = await runAxe(page);
            violations.push(...results.violations.map((v) => ({ ...v, help: `${v.help} (at ${width} px)` })));
          } catch (err) {
            failures.push(`js: axe-core could not run at ${width} px: ${err.message.split('\n')[0]}`);
          }
        } else {
          const file = path.join(SCREENSHOT_DIR, screenshotName(p).replace(/\.png$/, `-${width}.png`));
          await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        }
      }
      if (!failures.some((m) => m.startsWith('reflow'))) log(`  reflow: nothing beyond the viewport at ${NARROW.join(' and ')} px`);
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

  console.log(`a11y: ${pages.length} page type(s) at ${WIDE} and ${NARROW.join(', ')} px against ${BASE_URL} with ${CHROMIUM_PATH} (${browser.version()}), axe-core tags ${AXE_TAGS.join(',')}`);
  let passed = 0;
  let failed = 0;
  // Paths are checked CONCURRENCY at a time; each path's report is printed whole, in order.
  const results = new Array(pages.length);
  let next = 0;
  async function worker() {
    while (next < pages.length) {
      const n = next++;
      try {
        results[n] = await checkPath(browser, pages[n]);
      } catch (err) {
        results[n] = { ok: false, lines: [`  ✗ ${pages[n].path}: unexpected error: ${err.stack || err}`] };
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pages.length) }, worker));
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
