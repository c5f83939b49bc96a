#!/usr/bin/env node
// Browser flows for signing in and editing, in real Chromium, with and without JavaScript.
//
// Usage:
//   BASE_URL=http://127.0.0.1:8080 \
//   TREKKER_EMAIL=... TREKKER_PASSWORD=... BEHEERDER_EMAIL=... BEHEERDER_PASSWORD=... \
//   node flows.mjs
//
// The app must hold the demo data, a beheerder and a trekker of an organisation that leads at
// least two plans with cells in the dashboard matrix (scripts/browser-test sets this up with
// `regiomonitor user add`). The flows change data, so run them on a throw-away database.
//
// Environment:
//   BASE_URL           origin of the running app; default http://127.0.0.1:8080
//   TREKKER_EMAIL, TREKKER_PASSWORD       a trekker's account
//   BEHEERDER_EMAIL, BEHEERDER_PASSWORD   a beheerder's account
//   OTHER_PLAN         a plan the trekker does not lead; default kansrijke-start
//   CHROMIUM_PATH      default /usr/bin/chromium (never downloaded)
//   SCREENSHOT_DIR     where a screenshot of each failed check goes; default ./screenshots
//
// What it checks:
//   1. With JavaScript, as the trekker: sign in through the form; edit a plan it leads (current
//      status, a new stage with date and a new source) and see the text and the change on the
//      plan page; edit a matrix cell in place with htmx (no page navigation), giving the new
//      status its date and a new source, and see the new status; see both in /wijzigingen;
//      the edit page of a plan it does not lead is a 403 page.
//   2. The same without JavaScript, on another plan, with the rollout cell's full-page form.
//   3. axe-core (WCAG 2.0/2.1 A + AA) finds nothing on the forms, their error states, the
//      account pages, /wijzigingen, the 403 page and the 409 conflict page.
//   8. The werkagenda and its money as a new user tries them: the Lekstroom milestones of the
//      second quarter of 2025 through the filter, the printout, the plans without secured
//      financing for 2026; a trekker adds and moves a milestone and adds a budget.
//   4. Every request stays on BASE_URL's origin (others are aborted and fail the run); no page
//      error, no console error, no same-origin CSS/JS/image answering 4xx/5xx.
//
// Exit code 0 when every check passed, 1 otherwise; the last line reads "flows: N passed, N failed".

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
const OTHER_PLAN = process.env.OTHER_PLAN || 'kansrijke-start';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TIMEOUT_MS = 15_000;
const NEW_SOURCE = 'BBO 9 oktober 2025';
const STAGE_DATE = '2025-10-09';
/// The date a flow gives a cell's new status.
const CELL_DATE = '2026-02';

const accounts = {
  trekker: { email: process.env.TREKKER_EMAIL, password: process.env.TREKKER_PASSWORD },
  beheerder: { email: process.env.BEHEERDER_EMAIL, password: process.env.BEHEERDER_PASSWORD },
};

const baseOrigin = new URL(BASE_URL).origin;
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const run = Date.now().toString(36);

// --- Reporting -------------------------------------------------------------------------------

const results = [];
const warnings = [];

/// A known problem that axe does not see and that does not fail the run (yet): printed, and
/// listed in the summary.
function warn(name, detail) {
  warnings.push({ name, detail });
  console.log(`  ! ${name} (warning)\n      ${detail.replace(/\n/g, '\n      ')}`);
}

class CheckFailed extends Error {}

function assert(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function firstLine(err) {
  return String(err?.message ?? err).split('\n')[0];
}

/// Runs one named check; a failure is recorded (with a screenshot of `page`) and the run goes on.
/// Returns the check's value (true when it has none), or undefined when it failed.
async function check(name, page, fn) {
  try {
    const value = await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name}`);
    return value === undefined ? true : value;
  } catch (err) {
    const detail = err instanceof CheckFailed ? err.message : `unexpected error: ${firstLine(err)}`;
    results.push({ name, ok: false, detail });
    console.log(`  ✗ ${name}\n      ${detail.replace(/\n/g, '\n      ')}`);
    if (page && !page.isClosed()) {
      try {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const file = path.join(SCREENSHOT_DIR, `flows-${name.replace(/[^A-Za-z0-9]+/g, '_').slice(0, 80)}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(`      screenshot: ${path.relative(process.cwd(), file)}`);
      } catch {
        // the screenshot is a courtesy; the failure is already recorded
      }
    }
    return undefined;
  }
}

function section(title) {
  console.log(`\n== ${title}`);
}

// --- Browser contexts that stay on the app's origin -------------------------------------------

function isInternal(url) {
  if (/^(data|blob|about):/i.test(url)) return true;
  try {
    return new URL(url).origin === baseOrigin;
  } catch {
    return false;
  }
}

const contexts = [];

/// A context whose every request outside BASE_URL's origin is aborted and reported, and whose
/// page errors, console errors and broken sub-resources are reported too.
async function newContext(browser, label, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({
    javaScriptEnabled,
    bypassCSP: javaScriptEnabled, // axe is injected as a script tag
    viewport: { width: 1280, height: 900 },
    locale: 'nl-NL',
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const entry = { label, external: new Set(), problems: [] };
  contexts.push(entry);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (!isInternal(url)) {
      entry.external.add(url);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  context.on('page', (page) => watchPage(page, entry));
  return context;
}

function watchPage(page, entry) {
  page.on('pageerror', (err) => entry.problems.push(`page error on ${page.url()}: ${firstLine(err)}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // The browser reports the HTTP status of a page it was asked to show (403, 409, 422 are
    // expected here).
    if (/^Failed to load resource: the server responded with a status of (401|403|409|422)/.test(text)) return;
    entry.problems.push(`console error on ${page.url()}: ${text}`);
  });
  page.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest()) return;
    if (['xhr', 'fetch'].includes(req.resourceType())) return;
    if (isInternal(res.url()) && res.status() >= 400 && !/\/favicon\.ico$/.test(res.url())) {
      entry.problems.push(`sub-resource ${res.status()} ${res.url()}`);
    }
  });
}

// --- Page helpers ----------------------------------------------------------------------------

function url(p) {
  return BASE_URL + p;
}

function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

/// Opens `p` and checks its status.
async function open(page, p, expected = 200) {
  const res = await page.goto(url(p), { waitUntil: 'load' });
  assert(res, `no response for ${p}`);
  assert(res.status() === expected, `GET ${p}: HTTP ${res.status()}, expected ${expected}`);
  return res;
}

/// Clicks something that submits a form or follows a link the ordinary way, and returns the
/// response of the page it lands on (after redirects).
async function submit(page, locator) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  assert(res, 'the form submission gave no page');
  return res;
}

async function expectStatus(res, expected, what) {
  assert(res.status() === expected, `${what}: HTTP ${res.status()} at ${new URL(res.url()).pathname}, expected ${expected}`);
}

async function h1(page) {
  return (await page.locator('h1').first().innerText()).trim();
}

/// Runs axe-core on the page as it is now and fails with every violation listed.
async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const r = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const lines = [];
  for (const v of r.violations) {
    lines.push(`axe ${v.id} [${v.impact ?? 'n/a'}] ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) {
      const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ');
      lines.push(`  - ${target}: ${(n.failureSummary || '').replace(/\s*\n\s*/g, ' ')}`);
      lines.push(`    ${n.html.slice(0, 200)}`);
    }
  }
  assert(r.violations.length === 0, `${r.violations.length} axe violation(s) on ${pathOf(page)}:\n${lines.join('\n')}`);
}

async function signIn(page, who) {
  const a = accounts[who];
  await open(page, '/inloggen');
  await page.getByLabel('E-mailadres').fill(a.email);
  await page.getByLabel('Wachtwoord').fill(a.password);
  const res = await submit(page, page.getByRole('button', { name: 'Inloggen' }));
  await expectStatus(res, 200, `signing in as ${who}`);
  const account = page.locator('nav[aria-label="Account"] a[href="/account"]');
  assert((await account.count()) === 1, `after signing in as ${who} the account menu has no link to /account (at ${pathOf(page)})`);
  const role = (await account.innerText()).toLowerCase();
  assert(role.includes(who), `the account menu says "${role}", expected the role ${who}`);
}

/// The plans whose matrix cells the signed-in user may edit, with one gemeente each: read from
/// the "wijzig" links on the dashboard.
async function editableCells(page) {
  await open(page, '/');
  const hrefs = await page.locator('.rm-matrix a.rm-edit-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const cells = [];
  for (const href of hrefs) {
    const m = /^\/plannen\/([^/]+)\/uitrol\/([^/?]+)/.exec(href || '');
    if (m && !cells.some((c) => c.plan === m[1])) cells.push({ plan: m[1], gemeente: m[2], href });
  }
  return cells;
}

/// The matrix cell of `plan` in `gemeente`, found by its "wijzig" link (htmx replaces the whole
/// cell when it saves, so an element handle would go stale).
function matrixCell(page, plan, gemeente) {
  const base = `/plannen/${plan}/uitrol/${gemeente}`;
  return page.locator(`.rm-matrix td:has(a.rm-edit-link[href="${base}"]), .rm-matrix td:has(a.rm-edit-link[href^="${base}?"])`);
}

/// The row a matrix cell's form opens in, under the plan's row.
function editRow(page, href) {
  return page.locator(`.rm-matrix tr:has(a.rm-edit-link[href="${href}"]) + tr.rm-matrix__editrow`);
}

/// A new status asks for its own date and source: fill them in the cell form inside `scope`
/// (the matrix cell or the page), with a new source titled `source`.
async function newStatusFacts(scope, source) {
  await scope.getByLabel('Sinds (datum)').fill(CELL_DATE);
  await scope.getByLabel('Bron', { exact: true }).selectOption('');
  await scope.getByLabel('Of een nieuwe bron').fill(source);
}

/// The label of the option of `select` to choose: the first that is neither the current one
/// nor in `avoid`.
async function otherOption(select, avoidLabels) {
  const options = await select.locator('option').evaluateAll((os) =>
    os.map((o) => ({ value: o.value, label: o.textContent.trim(), selected: o.selected })),
  );
  const pick = options.find((o) => o.value !== '' && !o.selected && !avoidLabels.includes(o.label));
  assert(pick, `no other option to choose in ${await select.getAttribute('name')}`);
  return pick;
}

/// The table right after the plan page's "Wijzigingen in regiomonitor" heading, as rows of cell texts.
async function changeRowsOnPlanPage(page) {
  const table = page.locator('h2#wijzigingen + .rm-table-scroll table');
  assert((await table.count()) === 1, 'the plan page has no table under "Wijzigingen in regiomonitor"');
  return tableRows(table);
}

async function tableRows(table) {
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td,th')).map((c) => c.textContent.replace(/\s+/g, ' ').trim())),
  );
}

function hasRow(rows, ...parts) {
  return rows.some((cells) => parts.every((p) => cells.some((c) => c.includes(p))));
}

function showRows(rows) {
  return rows.slice(0, 12).map((r) => `  | ${r.join(' | ')}`).join('\n');
}

// --- The flows -------------------------------------------------------------------------------

/// Edits the current status and the stage of `plan` through its edit form (reached with the
/// "Plan bewerken" link) and checks the plan page. Returns what was written.
async function editPlan(page, plan, tag) {
  const out = {};
  await check(`${tag}: "Plan bewerken" opens the edit form of ${plan}`, page, async () => {
    await open(page, `/plannen/${plan}`);
    const res = await submit(page, page.getByRole('link', { name: 'Plan bewerken' }));
    await expectStatus(res, 200, 'edit form');
    assert(pathOf(page) === `/plannen/${plan}/bewerken`, `landed on ${pathOf(page)}`);
  });
  await check(`${tag}: save the current status, a new stage with date and a new source`, page, async () => {
    out.status = `Actuele status uit de browsertest (${tag}, ${run}): de regiegroep besloot op 9 oktober.`;
    await page.getByLabel('Wat is de actuele status?').fill(out.status);
    const current = (await page.locator('text=Huidige fase:').locator('strong').innerText()).trim();
    const stage = await otherOption(page.getByLabel('Nieuwe fase'), [current]);
    await page.getByLabel('Nieuwe fase').selectOption(stage.value);
    out.stage = stage.label;
    await page.getByLabel('Datum van de fase').fill(STAGE_DATE);
    await page.getByLabel('Of een nieuwe bron').fill(NEW_SOURCE);
    await page.getByLabel('Toelichting bij de fase').fill('Besloten in het BBO.');
    await page.getByLabel('Toelichting bij deze wijziging').fill(`Browsertest ${tag}`);
    const res = await submit(page, page.getByRole('button', { name: 'Wijzigingen opslaan' }));
    await expectStatus(res, 200, 'saving the plan');
    assert(new URL(page.url()).pathname === `/plannen/${plan}`, `after saving the browser is at ${pathOf(page)}, expected /plannen/${plan}`);
  });
  await check(`${tag}: the plan page shows the new text, stage and the change`, page, async () => {
    const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    assert(main.includes(out.status), 'the new current status is not on the plan page');
    assert(main.includes(out.stage), `the new stage "${out.stage}" is not on the plan page`);
    const rows = await changeRowsOnPlanPage(page);
    assert(hasRow(rows, 'Actuele status', out.status), `no row "Actuele status" with the new text in "Wijzigingen in regiomonitor":\n${showRows(rows)}`);
    assert(hasRow(rows, 'Fase', out.stage), `no row "Fase" → "${out.stage}" in "Wijzigingen in regiomonitor":\n${showRows(rows)}`);
    assert(rows.some((r) => r.join(' ').includes(NEW_SOURCE)), `the source "${NEW_SOURCE}" is not in "Wijzigingen in regiomonitor":\n${showRows(rows)}`);
  });
  return out;
}

/// /wijzigingen lists `plan` with the plan change and the cell change.
async function seeInChanges(page, tag, plan, planEdit, cellLabel) {
  await check(`${tag}: /wijzigingen lists ${plan} with both changes`, page, async () => {
    await open(page, '/wijzigingen');
    const heading = page.locator(`h2:has(a[href="/plannen/${plan}"])`);
    assert((await heading.count()) === 1, `/wijzigingen has no heading linking to /plannen/${plan}`);
    const rows = await tableRows(page.locator(`h2:has(a[href="/plannen/${plan}"]) + .rm-table-scroll table`));
    if (planEdit?.status) {
      assert(hasRow(rows, 'Actuele status', planEdit.status), `no "Actuele status" row with the new text under ${plan}:\n${showRows(rows)}`);
    }
    if (planEdit?.stage) {
      // The stage took effect on STAGE_DATE and was recorded today: it is listed as nagekomen.
      assert(hasRow(rows, 'Fase', planEdit.stage, 'nagekomen'), `no "Fase" → "${planEdit.stage}" row marked nagekomen under ${plan}:\n${showRows(rows)}`);
    }
    if (cellLabel) {
      assert(hasRow(rows, 'Uitrol in', cellLabel), `no "Uitrol in …" → "${cellLabel}" row under ${plan}:\n${showRows(rows)}`);
    }
  });
}

async function withJavaScript(browser, cells) {
  section('1. With JavaScript, as trekker');
  const context = await newContext(browser, 'js trekker');
  const page = await context.newPage();
  if (!(await check('js: sign in as trekker through the form', page, () => signIn(page, 'trekker')))) return;

  const cell = cells[0];
  const planEdit = await editPlan(page, cell.plan, 'js');

  let cellLabel;
  await check(`js: "wijzig" in the matrix opens the form in a row of its own (${cell.plan}, ${cell.gemeente}) without navigation`, page, async () => {
    await open(page, '/');
    const link = page.locator(`.rm-matrix a.rm-edit-link[href="${cell.href}"]`);
    assert((await link.count()) === 1, `no "wijzig" link ${cell.href} in the matrix`);
    await page.evaluate(() => {
      window.__flowMarker = 'still here';
    });
    let navigations = 0;
    const onNav = (f) => {
      if (f === page.mainFrame()) navigations++;
    };
    page.on('framenavigated', onNav);
    const before = page.url();
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/uitrol/${cell.gemeente}`) && r.request().method() === 'GET'),
      link.click(),
    ]);
    assert(res.status() === 200, `the htmx GET answered ${res.status()}`);
    assert(res.request().headers()['hx-request'] === 'true', 'the request was not made by htmx (no HX-Request header)');
    const row = editRow(page, cell.href);
    await row.locator('form.rm-rollout-form').waitFor();
    page.off('framenavigated', onNav);
    assert(navigations === 0 && page.url() === before, `the page navigated (${navigations}×, now ${page.url()})`);
    assert((await page.evaluate(() => window.__flowMarker)) === 'still here', 'the page was reloaded');
    assert((await row.locator('h1').count()) === 0, 'the row got a whole page (an <h1>) instead of the form');
    assert((await matrixCell(page, cell.plan, cell.gemeente).locator('form').count()) === 0, 'the form opened inside the cell');
    const width = await row.locator('form.rm-rollout-form').evaluate((f) => f.getBoundingClientRect().width);
    assert(width > 300, `the form in its row is only ${Math.round(width)} px wide`);
    await link.click();
    await page.waitForTimeout(300);
    assert((await page.locator(`tr#bewerk-${cell.plan}-${cell.gemeente}`).count()) === 1, 'asking again for an open form added a second row');
    const inside = await page.evaluate((id) => document.getElementById(id).contains(document.activeElement), `bewerk-${cell.plan}-${cell.gemeente}`);
    assert(inside, 'asking again for an open form did not move focus into it');
  });

  await check('js: saving the form shows the new status in the cell, closes the row and puts focus back on the cell', page, async () => {
    const td = editRow(page, cell.href);
    const select = td.getByLabel('Status', { exact: true });
    const pick = await otherOption(select, ['Onbekend']);
    await select.selectOption(pick.value);
    await newStatusFacts(td, `Browsertest js ${run}`);
    await td.getByLabel('Toelichting bij deze wijziging').fill(`Browsertest js ${run}`);
    let navigations = 0;
    const onNav = (f) => {
      if (f === page.mainFrame()) navigations++;
    };
    page.on('framenavigated', onNav);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/uitrol/${cell.gemeente}`) && r.request().method() === 'POST'),
      td.getByRole('button', { name: 'Uitrol opslaan' }).click(),
    ]);
    assert(res.status() === 200, `the htmx POST answered ${res.status()}`);
    // The answer replaces the whole <td>, so find the cell again by its link.
    const saved = matrixCell(page, cell.plan, cell.gemeente);
    await saved.locator('.rm-saved').waitFor();
    page.off('framenavigated', onNav);
    assert((await saved.count()) === 1, `${await saved.count()} cells for ${cell.plan} in ${cell.gemeente} after saving`);
    const label = (await saved.locator('.rm-cell__label').innerText()).trim();
    assert(label === pick.label, `the cell shows "${label}", expected "${pick.label}"`);
    assert((await saved.locator('form').count()) === 0, 'the form is still in the cell');
    assert((await page.locator('td td, td form.rm-rollout-form, tr.rm-matrix__editrow').count()) === 0, 'a cell was nested in a cell, or the row of the form stayed open');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest('td') && document.activeElement.closest('td').id);
    assert(focused === `cel-${cell.plan}-${cell.gemeente}`, `after saving, focus is on ${focused}, not on the edited cell`);
    assert(navigations === 0, `the page navigated ${navigations}×`);
    assert((await page.evaluate(() => window.__flowMarker)) === 'still here', 'the page was reloaded');
    cellLabel = pick.label;
  });

  await check('js: after a reload the dashboard keeps the new status', page, async () => {
    assert(cellLabel, 'the cell was not saved');
    await open(page, '/');
    const label = (await matrixCell(page, cell.plan, cell.gemeente).locator('.rm-cell__label').innerText()).trim();
    assert(label === cellLabel, `the cell shows "${label}" after a reload, expected "${cellLabel}"`);
  });

  await seeInChanges(page, 'js', cell.plan, planEdit, cellLabel);

  await check('js, phone: "wijzig" in the list per gemeente opens the form and returns to the plan in that list with a confirmation', page, async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, '/');
    const item = page.locator(`.rm-matrix-phone li#tel-${cell.plan}-${cell.gemeente}`);
    assert((await item.count()) === 1, `no item for ${cell.plan} in ${cell.gemeente} in the list per gemeente`);
    await item.evaluate((li) => { li.closest('details').open = true; });
    const res = await submit(page, item.locator('a.rm-edit-link'));
    await expectStatus(res, 200, 'rollout form');
    assert((await h1(page)).startsWith('Uitrol bewerken'), `the page's heading is "${await h1(page)}"`);
    const select = page.getByLabel('Status', { exact: true });
    const pick = await otherOption(select, ['Onbekend']);
    await select.selectOption(pick.value);
    await newStatusFacts(page, `Browsertest telefoon ${run}`);
    // A date of its own: the one before belongs to the status saved in the step above.
    await page.getByLabel('Sinds (datum)').fill('2026-03');
    const saved = await submit(page, page.getByRole('button', { name: 'Uitrol opslaan' }));
    await expectStatus(saved, 200, 'saving the rollout');
    assert(new URL(page.url()).hash === `#tel-${cell.plan}-${cell.gemeente}`, `after saving the address points at ${new URL(page.url()).hash}`);
    assert((await page.locator('#melding').innerText()).trim() === 'De uitrol is opgeslagen.', 'no confirmation');
    const focus = await page.evaluate(() => document.activeElement && document.activeElement.closest('li') && document.activeElement.closest('li').id);
    assert(focus === `tel-${cell.plan}-${cell.gemeente}`, `after saving, focus is in ${focus}, not on the edited plan in the list`);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(scrollWidth <= 390, `the start page scrolls sideways at 390 px (${scrollWidth} px)`);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await check(`js: the edit page of ${OTHER_PLAN} (not led by the trekker) is a Dutch 403 page`, page, async () => {
    await open(page, `/plannen/${OTHER_PLAN}`);
    assert((await page.getByRole('link', { name: 'Plan bewerken' }).count()) === 0, `the plan page of ${OTHER_PLAN} offers "Plan bewerken" to this trekker`);
    await open(page, `/plannen/${OTHER_PLAN}/bewerken`, 403);
    assert((await h1(page)) === 'Dit mag u niet doen', `the 403 page's heading is "${await h1(page)}"`);
    const text = await page.locator('main').innerText();
    assert(/mag .* niet wijzigen: alleen een beheerder of een trekker/.test(text), `the 403 page does not say who may edit: ${text.slice(0, 300)}`);
    await axe(page);
  });

  await check('js: axe on /account', page, async () => {
    await open(page, '/account');
    await axe(page);
  });

  await context.close();
}

async function withoutJavaScript(browser, cells) {
  section('2. Without JavaScript, as trekker');
  const context = await newContext(browser, 'no-js trekker', { javaScriptEnabled: false });
  const page = await context.newPage();
  if (!(await check('no-js: sign in as trekker through the form', page, () => signIn(page, 'trekker')))) return;
  const cell = cells[1];
  const planEdit = await editPlan(page, cell.plan, 'no-js');

  let cellLabel;
  await check(`no-js: "wijzig" opens the full-page rollout form (${cell.plan}, ${cell.gemeente})`, page, async () => {
    await open(page, '/');
    const link = page.locator(`.rm-matrix a.rm-edit-link[href="${cell.href}"]`);
    assert((await link.count()) === 1, `no "wijzig" link ${cell.href} in the matrix`);
    const res = await submit(page, link);
    await expectStatus(res, 200, 'rollout form');
    assert((await h1(page)).startsWith('Uitrol bewerken'), `the page's heading is "${await h1(page)}"`);
  });
  await check('no-js: saving the rollout form returns to the dashboard with the new status', page, async () => {
    const select = page.getByLabel('Status', { exact: true });
    const pick = await otherOption(select, ['Onbekend']);
    await select.selectOption(pick.value);
    await newStatusFacts(page, `Browsertest no-js ${run}`);
    await page.getByLabel('Toelichting bij deze wijziging').fill(`Browsertest no-js ${run}`);
    const res = await submit(page, page.getByRole('button', { name: 'Uitrol opslaan' }));
    await expectStatus(res, 200, 'saving the rollout');
    assert(pathOf(page) === '/', `after saving the browser is at ${pathOf(page)}, expected /`);
    assert(new URL(page.url()).hash === `#cel-${cell.plan}-${cell.gemeente}`, `after saving the address points at ${new URL(page.url()).hash}, not the edited cell`);
    const notice = (await page.locator('#melding').innerText()).trim();
    assert(notice === 'De uitrol is opgeslagen.', `the confirmation reads "${notice}"`);
    const label = (await matrixCell(page, cell.plan, cell.gemeente).locator('.rm-cell__label').innerText()).trim();
    assert(label === pick.label, `the cell shows "${label}", expected "${pick.label}"`);
    cellLabel = pick.label;
  });
  await seeInChanges(page, 'no-js', cell.plan, planEdit, cellLabel);
  await check(`no-js: the edit page of ${OTHER_PLAN} is a 403 page`, page, async () => {
    await open(page, `/plannen/${OTHER_PLAN}/bewerken`, 403);
    assert((await h1(page)) === 'Dit mag u niet doen', `the 403 page's heading is "${await h1(page)}"`);
  });
  await context.close();
}

async function accessibility(browser, cells) {
  section('3. axe-core on forms, error states, account pages and the conflict page');
  const cell = cells[0];

  // Signed out.
  const anon = await newContext(browser, 'axe anonymous');
  const a = await anon.newPage();
  await check('axe: /inloggen', a, async () => {
    await open(a, '/inloggen');
    await axe(a);
  });
  await check('axe: /inloggen after a failed sign-in', a, async () => {
    await a.getByLabel('E-mailadres').fill(`niemand-${run}@example.org`);
    await a.getByLabel('Wachtwoord').fill('dit-is-niet-het-wachtwoord');
    const res = await submit(a, a.getByRole('button', { name: 'Inloggen' }));
    assert(res.status() >= 400 && res.status() < 500, `a failed sign-in answered HTTP ${res.status()}`);
    assert((await a.locator('.utrecht-alert--error, [role="alert"]').count()) > 0, 'no error message after a failed sign-in');
    assert((await a.locator('nav[aria-label="Account"] a[href="/account"]').count()) === 0, 'signed in with a wrong password');
    await axe(a);
  });
  await anon.close();

  // The trekker's forms.
  const ctx = await newContext(browser, 'axe trekker');
  const t = await ctx.newPage();
  if (await check('axe: sign in as trekker', t, () => signIn(t, 'trekker'))) {
    await check(`axe: the plan edit form (/plannen/${cell.plan}/bewerken)`, t, async () => {
      await open(t, `/plannen/${cell.plan}/bewerken`);
      await axe(t);
    });
    await check('axe: the plan edit form after saving an empty name (422)', t, async () => {
      await t.getByLabel('Naam', { exact: true }).fill('');
      const res = await submit(t, t.getByRole('button', { name: 'Wijzigingen opslaan' }));
      await expectStatus(res, 422, 'saving an empty name');
      const name = t.locator('#veld-name');
      assert((await name.getAttribute('aria-invalid')) === 'true', 'the name field is not marked aria-invalid');
      assert((await t.locator('#fouten a[href="#veld-name"]').count()) === 1, 'the error summary does not link to the name field');
      await axe(t);
    });
    await check(`axe: the full-page rollout form (${cell.href})`, t, async () => {
      await open(t, cell.href);
      assert((await h1(t)).startsWith('Uitrol bewerken'), `heading "${await h1(t)}"`);
      await axe(t);
    });
    await check('axe: the rollout form in the matrix cell after a bad date (htmx)', t, async () => {
      await open(t, '/');
      const link = t.locator(`.rm-matrix a.rm-edit-link[href="${cell.href}"]`);
      await link.click();
      const td = editRow(t, cell.href);
      await td.locator('form.rm-rollout-form').waitFor();
      await badDate(td.getByLabel('Sinds (datum)'));
      await Promise.all([
        t.waitForResponse((r) => r.url().includes('/uitrol/') && r.request().method() === 'POST'),
        td.getByRole('button', { name: 'Uitrol opslaan' }).click(),
      ]);
      await td.locator('[id^="fouten"]').waitFor();
      assert((await td.getByLabel('Sinds (datum)').getAttribute('aria-invalid')) === 'true', 'the date field is not marked aria-invalid');
      await axe(t);
    });
    await check('axe: two rollout forms open in the matrix at once (htmx)', t, async () => {
      await open(t, '/');
      const links = t.locator('.rm-matrix a.rm-edit-link');
      assert((await links.count()) >= 2, 'fewer than two "wijzig" links');
      const first = await links.nth(0).getAttribute('href');
      const second = await links.nth(1).getAttribute('href');
      await links.nth(0).click();
      await editRow(t, first).locator('form.rm-rollout-form').waitFor();
      await editRow(t, first).evaluate((tr) => tr.setAttribute('data-flow-open', '1'));
      await t.locator(`.rm-matrix a.rm-edit-link[href="${second}"]`).click();
      await t.locator('tr.rm-matrix__editrow:not([data-flow-open])').locator('form.rm-rollout-form').waitFor();
      await t.locator('tr.rm-matrix__editrow:not([data-flow-open])').evaluate((tr) => tr.setAttribute('data-flow-open', '2'));
      await axe(t);
      // axe finds a label by id, so it misses what the browser does with two fields of one id:
      // the label names the first field twice and the second not at all.
      const unlabelled = await t.locator('tr[data-flow-open] form :is(input:not([type=hidden]), select, textarea)').evaluateAll((els) =>
        els.filter((el) => el.labels.length !== 1).map((el) => `${el.closest('tr').dataset.flowOpen}:#${el.id} (${el.labels.length} labels)`),
      );
      assert(unlabelled.length === 0, `two open rollout forms: fields without exactly one label: ${unlabelled.join(', ')}`);
    });
    await check('axe: the full-page rollout form after a bad date (422, posted without htmx)', t, async () => {
      await open(t, cell.href);
      assert((await t.locator('form.rm-rollout-form[hx-post]').count()) === 0, 'the full-page form carries hx-post');
      await badDate(t.getByLabel('Sinds (datum)'));
      const res = await submit(t, t.getByRole('button', { name: 'Uitrol opslaan' }));
      await expectStatus(res, 422, 'saving a bad date');
      assert((await h1(t)).startsWith('Uitrol bewerken'), `heading "${await h1(t)}"`);
      const dateId = await t.getByLabel('Sinds (datum)').getAttribute('id');
      assert((await t.getByLabel('Sinds (datum)').getAttribute('aria-invalid')) === 'true', 'the date field is not marked aria-invalid');
      assert((await t.locator(`[id^="fouten"] a[href="#${dateId}"]`).count()) === 1, 'the error summary does not link to the date field');
      await axe(t);
    });
  }
  await ctx.close();

  // The beheerder's pages and the conflict page.
  const one = await newContext(browser, 'axe beheerder 1');
  const two = await newContext(browser, 'axe beheerder 2');
  const b1 = await one.newPage();
  const b2 = await two.newPage();
  await check('axe: sign in as beheerder (twice, in two browsers)', b1, async () => {
    await signIn(b1, 'beheerder');
    await signIn(b2, 'beheerder');
  });
  await check('axe: /beheer/gebruikers', b1, async () => {
    await open(b1, '/beheer/gebruikers');
    await axe(b1);
  });
  await check('axe: /beheer/gebruikers after submitting the empty form', b1, async () => {
    const res = await submit(b1, b1.getByRole('button', { name: 'Account toevoegen' }));
    await expectStatus(res, 422, 'adding an empty account');
    assert((await b1.locator('#fouten li').count()) > 0, 'no error summary');
    await axe(b1);
  });
  await check('axe: /wijzigingen (signed in)', b1, async () => {
    await open(b1, '/wijzigingen');
    await axe(b1);
  });
  await check(`axe: the conflict page (two browsers save ${OTHER_PLAN})`, b2, async () => {
    await open(b1, `/plannen/${OTHER_PLAN}/bewerken`);
    await open(b2, `/plannen/${OTHER_PLAN}/bewerken`);
    await b1.getByLabel('Wat is de actuele status?').fill(`Eerste browser (${run})`);
    const first = await submit(b1, b1.getByRole('button', { name: 'Wijzigingen opslaan' }));
    await expectStatus(first, 200, 'the first save');
    await b2.getByLabel('Wat is de actuele status?').fill(`Tweede browser (${run})`);
    const second = await submit(b2, b2.getByRole('button', { name: 'Wijzigingen opslaan' }));
    await expectStatus(second, 409, 'the second save');
    assert((await h1(b2)).startsWith('Intussen gewijzigd'), `the conflict page's heading is "${await h1(b2)}"`);
    const diff = await tableRows(b2.locator('table.rm-diff'));
    assert(hasRow(diff, `Tweede browser (${run})`, `Eerste browser (${run})`), `the conflict table does not show both versions of the current status:\n${showRows(diff)}`);
    await axe(b2);
  });
  await one.close();
  await two.close();

  const anon2 = await newContext(browser, 'axe anonymous 2');
  const w = await anon2.newPage();
  await check('axe: /wijzigingen (signed out)', w, async () => {
    await open(w, '/wijzigingen');
    await axe(w);
  });
  await anon2.close();
}

/// The quarterly cycle as its users go through it: the beheerder opens a round; the trekker,
/// without JavaScript, submits the update of a plan Unicum leads from Voor mij; the plan leaves
/// the list of who has not reported; the beheerder accepts it, closes the round, reads the
/// report and downloads its PDF. axe-core on every page on the way.
async function quarterly(browser) {
  section('6. Quarterly cycle: open, report, review, close, PDF');
  const plan = 'versterken-eerstelijn';
  const admin = await newContext(browser, 'quarterly beheerder');
  const b = await admin.newPage();
  if (!(await check('quarterly: sign in as beheerder', b, () => signIn(b, 'beheerder')))) return;
  const period = await check('quarterly: the beheerder opens a round from the list of rounds', b, async () => {
    await open(b, '/rondes');
    await axe(b);
    const value = await b.locator('#veld-period').inputValue();
    await submit(b, b.getByRole('button', { name: 'Ronde openen' }));
    assert(pathOf(b) === `/rondes/${value}`, `after opening, the page is ${pathOf(b)}`);
    assert((await b.locator('#melding').count()) === 1, 'no confirmation after opening the round');
    await axe(b);
    return value;
  });
  if (!period) return;
  const owed = `/rondes/${period}?stand=te-laat`;
  const listed = async () => b.locator(`table a[href="/rondes/${period}/plannen/${plan}"]`).count();
  await check('quarterly: the plan is among the plans that have not reported', b, async () => {
    await open(b, `/rondes/${period}`);
    const late = await b.locator('.rm-report--te-laat, .rm-report--ontbreekt').count();
    assert(late > 0, 'no plan is late or missing');
    await open(b, owed);
    const ontbreekt = await b.locator(`table a[href="/rondes/${period}/plannen/${plan}"]`).count();
    await open(b, `/rondes/${period}?stand=ontbreekt`);
    assert(ontbreekt + (await listed()) === 1, `${plan} is not listed as late or missing`);
  });

  await check('quarterly: axe on the update form (a beheerder may write it too)', b, async () => {
    await open(b, `/rondes/${period}/plannen/${plan}`);
    assert((await b.getByRole('button', { name: 'Indienen' }).count()) === 1, 'no form on the update page');
    await axe(b);
  });

  const lead = await newContext(browser, 'quarterly trekker without JS', { javaScriptEnabled: false });
  const t = await lead.newPage();
  await check('quarterly: the trekker, without JavaScript, submits the update from Voor mij', t, async () => {
    await signIn(t, 'trekker');
    await open(t, '/voor-mij');
    const link = t.locator(`.rm-owed__item a[href="/rondes/${period}/plannen/${plan}"]`);
    assert((await link.count()) === 1, 'Voor mij does not list the update that is owed');
    await Promise.all([t.waitForNavigation(), link.click()]);
    await h1(t);
    await t.getByLabel('Op koers').check();
    await t.getByLabel('Wat is er gedaan').fill('Drie lokale samenwerkingsverbanden zijn gestart.');
    await t.getByLabel('Wat komt er').fill('De andere twee gemeenten volgen.');
    await submit(t, t.getByRole('button', { name: 'Indienen' }));
    assert((await t.locator('#melding').innerText()).includes('ingediend'), 'no confirmation of the submission');
    assert((await t.locator('main').innerText()).includes('Ingediend'), 'the update does not say it is submitted');
  });
  await check('quarterly: the plan has left the list of who has not reported', b, async () => {
    for (const stand of ['te-laat', 'ontbreekt']) {
      await open(b, `/rondes/${period}?stand=${stand}`);
      assert((await listed()) === 0, `${plan} is still listed as ${stand}`);
    }
    await open(b, `/rondes/${period}?stand=ingediend`);
    assert((await listed()) === 1, `${plan} is not listed as submitted`);
  });
  await check('quarterly: the beheerder accepts the update', b, async () => {
    await open(b, `/rondes/${period}/plannen/${plan}`);
    await axe(b);
    await b.getByLabel('Accepteren').check();
    await submit(b, b.getByRole('button', { name: 'Beoordeling opslaan' }));
    await open(b, `/rondes/${period}?stand=geaccepteerd`);
    assert((await listed()) === 1, `${plan} is not listed as accepted`);
  });
  await check('quarterly: closing asks for a confirmation, then closes', b, async () => {
    await open(b, `/rondes/${period}`);
    await submit(b, b.getByRole('button', { name: 'Ronde sluiten' }));
    assert((await b.locator('#fouten').count()) === 1, 'closing without the confirmation gave no error summary');
    await axe(b);
    await b.getByLabel('Ik sluit de ronde', { exact: false }).check();
    await submit(b, b.getByRole('button', { name: 'Ronde sluiten' }));
    assert((await b.locator('main').innerText()).includes('Gesloten'), 'the round does not say it is closed');
  });
  await check('quarterly: the report reads the update and its PDF downloads', b, async () => {
    await open(b, `/rondes/${period}/rapportage`);
    await axe(b);
    assert((await b.locator(`#plan-${plan}`).count()) === 1, 'the report has no section for the plan');
    assert((await b.locator('main').innerText()).includes('Drie lokale samenwerkingsverbanden zijn gestart.'), 'the report lacks the update');
    const [download] = await Promise.all([
      b.waitForEvent('download'),
      b.getByRole('link', { name: 'Download als pdf' }).click(),
    ]);
    const file = await download.path();
    const head = readFileSync(file).subarray(0, 5).toString();
    assert(head === '%PDF-', `the download is not a PDF: ${head}`);
  });
  await admin.close();
  await lead.close();
}

/// Governance as its users go through it: the beheerder plans the next regiegroep, puts the
/// quarterly report on its agenda as an item about a plan, records a decision, fixes the
/// verslag, and a visitor reads it; axe on every form and its error state on the way.
async function governance(browser) {
  section('7. Governance: plan a meeting, its agenda, a decision, the verslag');
  const body = 'regiegroep-zou';
  const plan = 'utrechtse-zorgfabriek';
  const ctx = await newContext(browser, 'governance beheerder');
  const b = await ctx.newPage();
  if (!(await check('governance: sign in as beheerder', b, () => signIn(b, 'beheerder')))) return;
  const meeting = await check('governance: the beheerder plans a meeting of the regiegroep', b, async () => {
    await open(b, `/overleggen/${body}`);
    await axe(b);
    const refused = await submit(b, b.getByRole('button', { name: 'Vergadering plannen' }));
    await expectStatus(refused, 422, 'planning a meeting without a day');
    assert((await b.locator('#fouten li').count()) > 0, 'no error summary');
    await axe(b);
    await b.getByLabel('Datum').fill('2026-02-12');
    await b.getByLabel('Begint om').fill('14:00');
    await b.getByLabel('Eindigt om').fill('16:00');
    await submit(b, b.getByRole('button', { name: 'Vergadering plannen' }));
    const path = pathOf(b);
    assert(path.startsWith(`/vergaderingen/${body}-2026-02-12`), `after planning, the page is ${path}`);
    assert((await b.locator('#melding').count()) === 1, 'no confirmation after planning the meeting');
    await axe(b);
    return path;
  });
  if (!meeting) { await ctx.close(); return; }
  await check('governance: the quarterly report and the open escalation go on the agenda, about a plan', b, async () => {
    await b.getByLabel('Titel').fill('Kwartaalrapportage 3e kwartaal 2025 en escalaties');
    await b.getByLabel('Rol van wie het inbrengt').fill('kernteam');
    await b.getByLabel('Over plan').selectOption(plan);
    await b.getByLabel('Kwartaalrapportage', { exact: true }).selectOption('2025-Q3');
    // The escalation the monitoring flow sent to the regiegroep is offered to take up.
    const escalation = b.locator('#veld-punt-actions input[name=actions]');
    assert((await escalation.count()) >= 1, 'the open escalation at the regiegroep is not offered');
    await escalation.first().check();
    await submit(b, b.getByRole('button', { name: 'Agendapunt toevoegen' }));
    assert((await b.locator('#punt-1 h3').innerText()).includes('Kwartaalrapportage'), 'the item is not on the agenda');
    assert((await b.locator(`#punt-1 a[href="/plannen/${plan}"]`).count()) === 1, 'the item does not link its plan');
    assert((await b.locator('#punt-1 a[href="/rondes/2025-Q3"]').count()) === 1, 'the item does not link the quarterly report');
    assert((await b.locator('#punt-1 a[href^="/acties/"]').count()) === 1, 'the item does not link the escalation');
    await axe(b);
    const pdf = await b.request.get(new URL(`${meeting}/verslag.pdf`, b.url()).href);
    assert(pdf.status() === 200 && (await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'the agenda is no PDF');
  });
  await check('governance: an outcome without text is refused; a decision approves the plan', b, async () => {
    await b.locator('#veld-uitkomst-number').selectOption('1');
    await b.getByLabel('Soort').selectOption('besluit');
    const refused = await submit(b, b.getByRole('button', { name: 'Uitkomst vastleggen' }));
    await expectStatus(refused, 422, 'an outcome without text');
    await axe(b);
    await b.getByLabel('Uitkomst', { exact: true }).fill('Het transformatieplan is goedgekeurd.');
    await b.getByLabel('Plan', { exact: true }).selectOption(plan);
    await b.getByLabel('Nieuwe fase').selectOption('tp-goedgekeurd');
    await submit(b, b.getByRole('button', { name: 'Uitkomst vastleggen' }));
    assert((await b.locator('#punt-1 .rm-outcome--besluit').count()) === 1, 'the decision is not shown');
  });
  await check('governance: the decision is on the plan page and in what changed since the meeting', b, async () => {
    await open(b, `/plannen/${plan}`);
    assert((await b.locator(`a[href="${meeting}#punt-1"]`).count()) === 1, 'the plan page does not link the meeting');
    assert((await b.locator('main').innerText()).includes('Besluit: Het transformatieplan is goedgekeurd.'), 'the plan page does not show the stage step of the decision');
    await open(b, `/wijzigingen?sinds=${meeting.split('/').pop()}`);
    assert((await b.locator(`main a[href="/plannen/${plan}"]`).count()) >= 1, 'what changed since the meeting does not list the plan');
    await axe(b);
    await open(b, meeting);
  });
  await check('governance: the verslag is fixed and a visitor reads the decision', b, async () => {
    await b.locator('#veld-wijzig-status').selectOption('verslag-vastgesteld');
    await submit(b, b.getByRole('button', { name: 'Wijzigingen opslaan' }));
    const anon = await newContext(browser, 'governance visitor');
    const v = await anon.newPage();
    await open(v, meeting);
    assert((await v.locator('.rm-outcome--besluit').count()) === 1, 'the visitor does not see the decision');
    assert((await v.locator('form[method="post"]').count()) === 0, 'the visitor is offered the beheerder\'s forms');
    await axe(v);
    await anon.close();
  });
  await check('governance: the one action list and a meeting\'s actiepunt, with its ladder', b, async () => {
    await open(b, '/acties?herkomst=vergadering');
    assert((await b.locator('tbody tr').count()) >= 1, 'no actiepunt of a meeting in the action list');
    await axe(b);
    await b.locator('tbody tr a[href^="/acties/"]').first().click();
    await b.waitForLoadState();
    assert((await b.locator('main').innerText()).includes('Herkomst'), 'the actiepunt does not say where it came from');
    await axe(b);
    await open(b, '/overleggen/werkgroep-mentale-gezondheid-lekstroom');
    assert((await b.locator('a[href="/overleggen/programmateam-iza-lekstroom"]').count()) >= 1, 'the Lekstroom werkgroep does not name its next rung');
    await axe(b);
  });
  await ctx.close();
}

/// The monitoring pages as a beheerder: the observation form and its error state (with and
/// without JavaScript), a follow-up action with its escalation to the regiegroep, and the pages
/// that list it. Runs last: it adds an action to the demo data.
async function monitoring(browser) {
  section('4. Monitoring: observation form, follow-up action, escalation');
  const kpi = 'mtvp-consultduur';
  const form = `/indicatoren/${kpi}/metingen/nieuw`;

  const ctx = await newContext(browser, 'monitoring beheerder');
  const b = await ctx.newPage();
  if (await check('monitoring: sign in as beheerder', b, () => signIn(b, 'beheerder'))) {
    for (const path of ['/plannen/versterken-eerstelijn/bewerken', '/indicatoren/extra-rtas/bewerken']) {
      await check(`axe: an edit form that lists its aannames (${path})`, b, async () => {
        await open(b, path);
        const note = b.getByRole('note').filter({ hasText: 'Aannames' });
        assert((await note.count()) === 1, 'no note listing the aannames');
        await axe(b);
      });
    }
    await check(`axe: the observation form (${form})`, b, async () => {
      await open(b, form);
      assert((await h1(b)).startsWith('Meting toevoegen'), `heading "${await h1(b)}"`);
      await axe(b);
    });
    await check('axe: the observation form after an invalid value (422)', b, async () => {
      await b.getByLabel('Periode').fill('2026-Q4');
      await b.getByLabel('Waarde').fill('veel');
      const res = await submit(b, b.getByRole('button', { name: 'Meting opslaan' }));
      await expectStatus(res, 422, 'saving the value "veel"');
      assert((await b.locator('#veld-value').getAttribute('aria-invalid')) === 'true', 'the value field is not marked aria-invalid');
      assert((await b.locator('#fouten a[href="#veld-value"]').count()) === 1, 'the error summary does not link to the value field');
      await axe(b);
    });
    await check('axe: the KPI definition form (/indicatoren/nieuw)', b, async () => {
      await open(b, '/indicatoren/nieuw');
      assert((await h1(b)) === 'Nieuwe KPI', `heading "${await h1(b)}"`);
      await axe(b);
    });
    await check('axe: the KPI definition form after a missing direction (422)', b, async () => {
      await b.getByLabel('Naam', { exact: true }).fill(`Browsertest-KPI ${run}`);
      await b.locator('#veld-direction').selectOption('');
      const res = await submit(b, b.getByRole('button', { name: 'KPI toevoegen' }));
      await expectStatus(res, 422, 'adding a quantitative KPI without a direction');
      assert((await b.locator('#veld-direction').getAttribute('aria-invalid')) === 'true', 'the direction field is not marked aria-invalid');
      await axe(b);
    });
    let action;
    await check('monitoring: a follow-up action is added through its form', b, async () => {
      await open(b, `/indicatoren/${kpi}/acties/nieuw?gebied=GM0352`);
      await b.getByLabel('Wat', { exact: true }).fill(`Versnellingssessie Wijk bij Duurstede (${run})`);
      await b.getByLabel('Eigenaar', { exact: true }).fill('Trekker MTVP');
      await b.getByLabel('Deadline').evaluate((el) => {
        el.type = 'text';
      });
      await b.getByLabel('Deadline').fill('2020-03-31');
      const res = await submit(b, b.locator(`form[action="/indicatoren/${kpi}/acties"] button[type=submit]`));
      await expectStatus(res, 200, 'adding the action');
      action = pathOf(b);
      assert(/^\/acties\/\d+$/.test(action), `after adding the action the browser is at ${action}`);
    });
    if (action) {
      await check(`axe: the action page (${action})`, b, async () => {
        await open(b, action);
        await axe(b);
      });
      await check('axe: the action page after escalating without a reason (422)', b, async () => {
        const escalate = b.locator(`form[action="${action}/escaleren"]`);
        await escalate.locator('select[name=to]').selectOption('regiegroep-zou');
        const res = await submit(b, escalate.locator('button[type=submit]'));
        await expectStatus(res, 422, 'escalating without a reason');
        await axe(b);
      });
      await check('monitoring: escalating to the regiegroep lands on its page, which lists the action', b, async () => {
        const escalate = b.locator(`form[action="${action}/escaleren"]`);
        await escalate.locator('select[name=to]').selectOption('regiegroep-zou');
        await escalate.locator('textarea[name=reason], input[name=reason]').fill('De werkgroep kan de capaciteit niet zelf regelen');
        const res = await submit(b, escalate.locator('button[type=submit]'));
        await expectStatus(res, 200, 'escalating');
        assert(pathOf(b) === '/overleggen/regiegroep-zou', `after escalating the browser is at ${pathOf(b)}`);
        assert((await b.locator(`a[href="${action}"]`).count()) === 1, 'the regiegroep page does not list the action');
      });
    }
  }
  await ctx.close();

  // Signed out: the pages that list the action, now with content.
  const anon = await newContext(browser, 'monitoring anonymous');
  const a = await anon.newPage();
  for (const p of ['/acties', '/overleggen/regiegroep-zou', `/indicatoren/${kpi}`]) {
    await check(`axe: ${p} with an overdue, escalated action`, a, async () => {
      await open(a, p);
      assert((await a.locator('.rm-overdue').count()) >= 1 || p.startsWith('/indicatoren'), `no "over tijd" flag on ${p}`);
      await axe(a);
    });
  }
  await anon.close();

  // Without JavaScript the form and its error state work the same.
  const nojs = await newContext(browser, 'monitoring beheerder no-js', { javaScriptEnabled: false });
  const n = await nojs.newPage();
  if (await check('no-js: sign in as beheerder', n, () => signIn(n, 'beheerder'))) {
    await check('no-js: the observation form shows its errors after an invalid value (422)', n, async () => {
      await open(n, form);
      await n.getByLabel('Periode').fill('2026-13');
      await n.getByLabel('Waarde').fill('veel');
      const res = await submit(n, n.getByRole('button', { name: 'Meting opslaan' }));
      await expectStatus(res, 422, 'saving a bad period and value');
      assert((await n.locator('h1').filter({ visible: true }).count()) === 1, 'no visible h1');
      assert((await n.locator('#fouten li').count()) === 2, `the error summary has ${await n.locator('#fouten li').count()} items, expected 2`);
      assert((await n.locator('#veld-period').inputValue()) === '2026-13', 'the period typed is not kept');
    });
  }
  await nojs.close();
}

/// Types an impossible date into a date field (turned into a text field, as in browsers
/// without a date picker).
async function badDate(input) {
  await input.evaluate((el) => {
    el.type = 'text';
  });
  await input.fill('2025-02-30');
}

// --- 8. The werkagenda and its money, as a new user would try them -------------------------

async function werkagenda(browser) {
  section('8. Werkagenda and financing: find, filter, print, add and move a milestone, a budget');
  const anon = await newContext(browser, 'werkagenda visitor');
  const a = await anon.newPage();
  await check('werkagenda: the Lekstroom milestones of the second quarter of 2025, found with the filter', a, async () => {
    await open(a, '/werkagenda');
    await a.getByLabel('Jaar', { exact: true }).fill('2025');
    await a.getByLabel('Subregio').selectOption('lekstroom');
    await submit(a, a.getByRole('button', { name: 'Toon werkagenda' }));
    assert((await h1(a)) === 'Werkagenda 2025', `the heading is ${await h1(a)}`);
    const rows = a.locator('table.rm-table--stack tbody tr');
    const periods = await rows.locator('td[data-label=Periode]').allInnerTexts();
    const titles = await rows.locator('td[data-label=Mijlpaal]').allInnerTexts();
    const q2 = titles.filter((_, i) => /2e kwartaal|2e t\/m|gedurende 2025/.test(periods[i]));
    assert(q2.some((t) => t.startsWith('Evaluatie van inspiratiemiddag')), `Q2 rows: ${q2.join(' | ')}`);
    assert(q2.some((t) => t.startsWith('Zorg4=')), 'the whole-year milestone is not in Q2');
    assert((await a.locator('svg.rm-timeline__svg rect.rm-timeline__bar').count()) > 10, 'the timeline has few bars');
    await axe(a);
  });
  await check('werkagenda: prints on A4 landscape with the date and the filter', a, async () => {
    await a.emulateMedia({ media: 'print' });
    const text = await a.evaluate(() => document.body.innerText);
    assert(/Filter: jaar 2025, subregio Lekstroom/.test(text), 'the printout does not name the filter');
    assert(/stand van \d+ \w+ \d{4}/.test(text), 'the printout has no date');
    const pdf = await a.pdf({ preferCSSPageSize: true, printBackground: true });
    assert(pdf.length > 10_000, `the PDF is ${pdf.length} bytes`);
    await a.emulateMedia({ media: 'screen' });
  });
  await check('financiering: which plans have no secured financing for 2026', a, async () => {
    await open(a, '/financiering');
    await a.getByLabel('Jaar', { exact: true }).selectOption('2026');
    await a.getByLabel('Financiering', { exact: true }).selectOption('niet-toegekend');
    await submit(a, a.getByRole('button', { name: 'Toon financiering' }));
    const caption = await a.locator('#financiering-per-plan caption').textContent();
    assert(caption.includes('niet (zeker) toegekend'), `the table says ${caption}`);
    const states = await a.locator('#financiering-per-plan td[data-label=Financiering]').allInnerTexts();
    assert(states.length > 10, `${states.length} plans listed`);
    assert(!states.some((s) => s.includes('Toegekend')), 'a granted plan is listed');
    assert(states.some((s) => s.includes('Bron bekend, bedrag onbekend')) && states.some((s) => s.includes('Ongefinancierd')), 'the two kinds of unsecured are not told apart');
    await axe(a);
  });
  await anon.close();

  const ctx = await newContext(browser, 'werkagenda trekker');
  const t = await ctx.newPage();
  if (!(await check('werkagenda: sign in as trekker', t, () => signIn(t, 'trekker')))) return;
  const plan = 'mtvp';
  const milestone = await check('werkagenda: the trekker adds a milestone to a plan it leads; a bad period is refused', t, async () => {
    await open(t, `/plannen/${plan}`);
    await t.getByRole('link', { name: 'Mijlpaal toevoegen' }).click();
    await t.waitForLoadState('load');
    await t.getByLabel('Mijlpaal', { exact: true }).fill(`Start spreekuur ${run}`);
    await t.getByLabel('Periode').fill('lente');
    const refused = await submit(t, t.getByRole('button', { name: 'Mijlpaal opslaan' }));
    await expectStatus(refused, 422, 'a period that is no period');
    assert((await t.locator('#fouten li').count()) === 1, 'no error summary');
    await axe(t);
    await t.getByLabel('Periode').fill('Q2/3 2027');
    await submit(t, t.getByRole('button', { name: 'Mijlpaal opslaan' }));
    const path = pathOf(t);
    assert(/^\/mijlpalen\/\d+$/.test(path), `after saving, the page is ${path}`);
    assert((await t.locator('.rm-facts').innerText()).includes('2e t/m 3e kwartaal 2027'), 'the period is not shown in words');
    return path;
  });
  if (milestone) {
    await check('werkagenda: the trekker marks it reached, with the date; the history shows both steps', t, async () => {
      await open(t, milestone);
      await t.getByLabel('Status', { exact: true }).selectOption('gehaald');
      await t.getByLabel('Status sinds').fill('2027-06');
      await submit(t, t.getByRole('button', { name: 'Mijlpaal opslaan' }));
      assert((await t.locator('#milestone-history tbody tr').count()) === 2, 'the history has not two steps');
      await axe(t);
      await open(t, '/werkagenda?jaar=2027');
      assert((await t.locator('table.rm-table--stack').innerText()).includes(`Start spreekuur ${run}`), 'the milestone is not on the werkagenda of 2027');
    });
  }
  await check('financiering: the trekker adds a budget in euro, and sees it in the totals', t, async () => {
    await open(t, `/plannen/${plan}/budgetten/nieuw`);
    await axe(t);
    await t.getByLabel('Financieringsbron', { exact: true }).selectOption('spuk-iza');
    await t.getByLabel('Jaar', { exact: true }).fill('2028');
    await t.getByLabel('Stand van de aanvraag').selectOption('toegekend');
    await t.getByLabel('Bedrag toegekend (euro)').fill('85.000');
    await submit(t, t.getByRole('button', { name: 'Budget opslaan' }));
    assert(/^\/budgetten\/\d+$/.test(pathOf(t)), `after saving, the page is ${pathOf(t)}`);
    await open(t, '/financiering?jaar=2028');
    const totals = await t.locator('main').innerText();
    assert(totals.includes('€ 85.000'), 'the granted amount is not in the totals');
    await axe(t);
  });
  await ctx.close();
}

// --- Main ------------------------------------------------------------------------------------

async function main() {
  const missing = Object.entries(accounts)
    .filter(([, a]) => !a.email || !a.password)
    .map(([who]) => `${who.toUpperCase()}_EMAIL/${who.toUpperCase()}_PASSWORD`);
  if (missing.length > 0) {
    console.error(`set ${missing.join(' and ')} (scripts/browser-test creates the accounts)`);
    console.log('flows: 0 passed, 1 failed');
    return 1;
  }

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
    console.error(`could not launch Chromium at ${CHROMIUM_PATH}: ${firstLine(err)}`);
    console.log('flows: 0 passed, 1 failed');
    return 1;
  }
  console.log(`flows against ${BASE_URL} with ${CHROMIUM_PATH} (${browser.version()}), axe-core tags ${AXE_TAGS.join(',')}`);

  try {
    // Which plans the trekker leads, from the "wijzig" links it is offered on the dashboard.
    section('0. Setting up');
    const setup = await newContext(browser, 'setup');
    const page = await setup.newPage();
    const cells = await check('the trekker is offered "wijzig" links in the matrix for at least two plans', page, async () => {
      await open(page, '/');
      assert((await page.locator('a.rm-edit-link').count()) === 0, 'signed out, the dashboard offers "wijzig" links');
      await signIn(page, 'trekker');
      const found = await editableCells(page);
      assert(found.length >= 2, `found ${found.length} plan(s) with "wijzig" links; the flows need two (one with JS, one without)`);
      assert(!found.some((c) => c.plan === OTHER_PLAN), `the trekker may edit ${OTHER_PLAN}; set OTHER_PLAN to a plan it does not lead`);
      console.log(`    with JS: ${found[0].plan} in ${found[0].gemeente}; without JS: ${found[1].plan} in ${found[1].gemeente}`);
      return found;
    });
    await setup.close();

    if (cells) {
      await withJavaScript(browser, cells);
      await withoutJavaScript(browser, cells);
      await accessibility(browser, cells);
    }
    await monitoring(browser);
    await quarterly(browser);
    await governance(browser);
    await werkagenda(browser);
  } finally {
    await browser.close();
  }

  section('5. Requests, page errors and sub-resources');
  for (const c of contexts) {
    const problems = [...[...c.external].map((u) => `requested a URL outside ${baseOrigin}: ${u}`), ...c.problems];
    results.push({ name: `${c.label}: only same-origin requests, no page or console errors`, ok: problems.length === 0, detail: problems.join('\n') });
    if (problems.length === 0) console.log(`  ✓ ${c.label}: only same-origin requests, no page or console errors`);
    else console.log(`  ✗ ${c.label}:\n      ${problems.join('\n      ')}`);
  }

  const failed = results.filter((r) => !r.ok);
  console.log('\nSummary');
  for (const r of failed) console.log(`  FAILED ${r.name}`);
  for (const w of warnings) console.log(`  WARNING ${w.name}`);
  console.log(`\nflows: ${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
