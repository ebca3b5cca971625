// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core
// (never a downloaded browser), and an axe audit that fails on serious or
// critical violations.

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const BASE_URL = (process.env.CANDOUR_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh page; at 390 px wide when `phone` is set. */
export async function newPage(browser, { phone = false } = {}) {
  const viewport = phone ? { width: 390, height: 844 } : { width: 1280, height: 900 };
  const context = await browser.newContext({ viewport, baseURL: BASE_URL });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

export function url(path) {
  return `${BASE_URL}${path}`;
}

/** Every demo account that `serve --demo` creates signs in with this password. */
export const DEMO_PASSWORD = 'demo-password-1234';

/** A demo account's email address: `demo('inspector')`. */
export const demo = (name) => `${name}@demo.candour.example`;

/**
 * Signs in through the form and waits for the private home (or `landing`).
 * Sign-in is rate limited per address and every test browses from 127.0.0.1,
 * so a 429 is waited out as its Retry-After says, as a person would.
 */
export async function signIn(page, email, { password = DEMO_PASSWORD, landing = /\/manage$/ } = {}) {
  const form = page.url().includes('/sign-in') ? page.url() : url('/sign-in');
  if (page.url() !== form) {
    await page.goto(form);
  }
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await page.fill('#email', email);
    await page.fill('#password', password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in'),
      page.click('main button[type=submit]'),
    ]);
    if (response.status() !== 429) {
      await page.waitForURL(landing);
      return;
    }
    const wait = Number(response.headers()['retry-after'] || '6');
    await new Promise((resolve) => setTimeout(resolve, (wait + 1) * 1000));
    await page.goto(form);
  }
  assert.fail(`could not sign in as ${email}: still rate limited`);
}

/** Signs out with the header's button, from the private home if this page has none (error pages). */
export async function signOut(page) {
  if ((await page.locator('.header-form__button').count()) === 0) {
    await page.goto(url('/manage'));
  }
  await Promise.all([page.waitForURL(/\/sign-in\?done=signed_out$/), page.click('.header-form__button')]);
}

/** Runs axe on the page and fails, listing them, on any serious or critical violation. */
export async function assertAccessible(page, label) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = blocking
    .map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`)
    .join('\n');
  if (blocking.length > 0) {
    console.error(`Accessibility violations on ${label}:\n${report}`);
  }
  assert.equal(blocking.length, 0, `${label} has serious or critical accessibility violations:\n${report}`);
}

/**
 * Presses Tab until the element with `id` has focus (at most 40 times), then
 * checks that the focus is visible: its outline or box shadow differs from how
 * the element looks unfocused.
 */
export async function assertKeyboardFocusVisible(page, id) {
  const look = () =>
    page.evaluate((elementId) => {
      const el = document.getElementById(elementId);
      const s = getComputedStyle(el);
      return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow, focused: document.activeElement === el };
    }, id);
  const before = await look();
  assert.equal(before.focused, false, `#${id} should not have focus before tabbing`);
  for (let i = 0; i < 40 && !(await look()).focused; i += 1) {
    await page.keyboard.press('Tab');
  }
  const after = await look();
  assert.equal(after.focused, true, `Tab never reached #${id}`);
  const visible = await page.evaluate((elementId) => document.getElementById(elementId).matches(':focus-visible'), id);
  assert.ok(visible, `#${id} should match :focus-visible after keyboard focus`);
  assert.ok(
    after.outline !== before.outline || after.shadow !== before.shadow,
    `focus on #${id} should change its outline or shadow (before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`,
  );
  assert.doesNotMatch(after.outline, /^none /, `#${id} should have a visible outline when focused`);
}

/** The number in the directory's results heading ("24 locations found" → 24, "No locations found" → 0). */
export async function resultCount(page) {
  const text = (await page.locator('#results-heading').textContent()).trim();
  if (text.startsWith('No ')) return 0;
  const match = text.match(/^([\d,]+) location/);
  assert.ok(match, `unexpected results heading: ${text}`);
  return Number(match[1].replaceAll(',', ''));
}

/** Clicks a form's submit button and waits for the page it loads. */
export async function submitForm(page, selector = 'main form button[type=submit]') {
  await Promise.all([page.waitForEvent('load'), page.locator(selector).first().click()]);
}

/** The demo manager's service (which the demo provider runs): its location ID, read from their private home. */
export async function managersService(browser) {
  const page = await newPage(browser);
  await signIn(page, demo('manager'));
  const href = await page.locator('main a[href^="/manage/locations/"]').first().getAttribute('href');
  await page.context().close();
  return href.split('/')[3];
}
