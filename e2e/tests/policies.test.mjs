// The policy cascade and good practice in a real browser, with axe on every page:
// the demo provider publishes a policy, the demo member of staff confirms reading
// it, the provider sees the read rate and who has not read it; the public searches
// the accounts of good practice and opens one.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, newPage, signIn, signOut, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const TITLE = `Lone working at night ${Date.now()}`;

describe('the policy cascade', () => {
  let policyPath;

  it('lets the provider publish a policy', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('provider'));
    await Promise.all([page.waitForURL(/\/manage\/providers\/[^/]+\/policies$/), page.click('a:has-text("Policies: ")')]);
    await assertAccessible(page, 'the provider\'s policy library');
    await Promise.all([page.waitForURL(/\/policies\/new$/), page.click('text=Publish a policy')]);
    await assertAccessible(page, 'the publishing form');

    // Nothing typed: every problem is shown beside its field and in the summary.
    await page.click('main button[type=submit]');
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.error-summary').textContent(), /Enter a title/);
    await assertAccessible(page, 'the publishing form with errors');

    await page.fill('#title', TITLE);
    await page.check('#kind');
    await page.fill('#body', 'Carry the alarm pendant on every night shift.\n\nCall the on-call manager if you are alone for more than an hour.');
    await page.check('#confirm');
    await Promise.all([page.waitForURL(/\/manage\/policies\/\d+\?published=1$/), page.click('main button[type=submit]')]);
    assert.match(await page.locator('.notice').textContent(), /Version 1 published/);
    assert.match(await page.locator('main').textContent(), /Not read yet/);
    await assertAccessible(page, 'a policy as its provider sees it');
    policyPath = new URL(page.url()).pathname;
    await signOut(page);
  });

  it('lets a member of staff read and confirm it', async () => {
    const page = await newPage(browser, { phone: true });
    await signIn(page, demo('staff'));
    assert.match(await page.locator('main').textContent(), /to read and confirm/);
    await assertAccessible(page, 'the staff member\'s home with policies to read');
    await page.goto(url(policyPath));
    assert.match(await page.locator('main').textContent(), /Carry the alarm pendant/);
    await assertAccessible(page, 'a policy to confirm, on a phone');
    await Promise.all([
      page.waitForURL(/\?read=yes$/),
      page.click('button:has-text("I have read and understood version 1")'),
    ]);
    assert.match(await page.locator('main').textContent(), /You confirmed that you have read and understood version 1/);
    await assertAccessible(page, 'a confirmed policy');
    await signOut(page);
  });

  it('shows the provider the read rate', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('provider'));
    await page.goto(url(policyPath));
    const main = await page.locator('main').textContent();
    assert.match(main, /Version 1: 1 of \d+ \(\d+%\) confirmed/);
    assert.match(main, /Demo staff/);
    await page.click('nav.breadcrumbs a:has-text("Policies")');
    assert.match(await page.locator('main').textContent(), /Read rate by service/);
    await assertAccessible(page, 'the library with read rates');
    await signOut(page);
  });
});

describe('good practice', () => {
  it('lets the public search accounts and open one', async () => {
    const page = await newPage(browser);
    await page.goto(url('/'));
    await Promise.all([page.waitForURL(/\/good-practice$/), page.click('header a:has-text("Good practice")')]);
    await assertAccessible(page, 'the good practice search');
    await page.selectOption('#theme', 'nutrition_hydration');
    await Promise.all([page.waitForURL(/theme=nutrition_hydration/), page.click('main button[type=submit]')]);
    assert.match(await page.locator('#results-heading').textContent(), /1 account found/);
    await Promise.all([page.waitForURL(/\/good-practice\/\d+$/), page.click('.practice-result h3 a')]);
    assert.match(await page.locator('h1').textContent(), /Quieter, slower mealtimes/);
    await assertAccessible(page, 'an account of good practice');
  });

  it('is accessible on a phone, with an error beside a bad filter', async () => {
    const page = await newPage(browser, { phone: true });
    const response = await page.goto(url('/good-practice?theme=gardening'));
    assert.equal(response.status(), 400);
    assert.match(await page.locator('.error-summary').textContent(), /Choose a theme from the list/);
    await assertAccessible(page, 'the good practice search with an error, on a phone');
  });
});
