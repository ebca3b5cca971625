// Journeys through the public site in a real browser, each page audited with axe.
// Run against a server started with demo data (see ../run.sh), at CANDOUR_URL.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, assertKeyboardFocusVisible, launch, newPage, resultCount, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('home page', () => {
  it('explains Candour, offers a search and is accessible', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/'));
    assert.equal(response.status(), 200);
    assert.match(await page.locator('h1').textContent(), /adult social care/);
    await assertAccessible(page, 'the home page');
    await assertKeyboardFocusVisible(page, 'search-name');
  });

  it('is accessible on a phone', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(url('/'));
    await assertAccessible(page, 'the home page at 390px');
  });

  it('searches by name from the home page', async () => {
    const page = await newPage(browser);
    await page.goto(url('/locations?per_page=1'));
    const firstName = (await page.locator('.result__title a').first().textContent()).trim();
    await page.goto(url('/'));
    await page.fill('#search-name', firstName);
    await Promise.all([page.waitForURL(/\/locations\?/), page.click('button[type=submit]')]);
    assert.match(page.url(), /name=/);
    assert.ok((await resultCount(page)) >= 1, `searching for ${firstName} should find it`);
  });
});

describe('directory', () => {
  it('narrows the results with a filter carried in the address', async () => {
    const page = await newPage(browser);
    await page.goto(url('/locations'));
    const all = await resultCount(page);
    assert.ok(all > 0, 'the demo register should have locations');
    await assertAccessible(page, 'the directory');
    await assertKeyboardFocusVisible(page, 'name');

    await page.selectOption('#rating', 'outstanding');
    await page.selectOption('#sort', 'beds');
    await Promise.all([page.waitForURL(/rating=outstanding/), page.click('form.filters button[type=submit]')]);
    const filtered = await resultCount(page);
    assert.ok(filtered < all, `filtering by rating should narrow ${all} results (got ${filtered})`);
    assert.match(page.url(), /sort=beds/);
    assert.equal(await page.locator('#rating').inputValue(), 'outstanding', 'the filter stays selected');
    await assertAccessible(page, 'the filtered directory');

    await page.goto(page.url());
    assert.equal(await resultCount(page), filtered, 'the filtered address can be shared');
  });

  it('pages through results', async () => {
    const page = await newPage(browser);
    await page.goto(url('/locations?per_page=2'));
    const firstOnPageOne = await page.locator('.result__title a').first().textContent();
    await Promise.all([page.waitForURL(/page=2/), page.click('.pagination__next')]);
    assert.notEqual(await page.locator('.result__title a').first().textContent(), firstOnPageOne);
    assert.equal(await page.locator('.pagination [aria-current=page]').textContent(), '2');
  });

  it('shows errors beside the fields with a 400 for bad filters', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/locations?region=atlantis&per_page=1000'));
    assert.equal(response.status(), 400);
    assert.match(await page.title(), /^Error: /);
    const summary = page.locator('.error-summary');
    assert.match(await summary.textContent(), /Region "atlantis" is not valid/);
    assert.match(await page.locator('#region-error').textContent(), /atlantis/);
    assert.match(await page.locator('#per_page-error').textContent(), /from 1 to 100/);
    await assertAccessible(page, 'the directory with errors');
    await page.click('.error-summary a[href="#region"]');
    assert.match(page.url(), /#region$/);
  });

  it('is accessible on a phone', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(url('/locations?region=london'));
    await assertAccessible(page, 'the directory at 390px');
  });
});

describe('location and provider pages', () => {
  it('reaches a location from the results, then its provider', async () => {
    const page = await newPage(browser);
    await page.goto(url('/locations?sort=recently_rated'));
    const link = page.locator('.result__title a').first();
    const name = (await link.textContent()).trim();
    await Promise.all([page.waitForURL(/\/locations\/1-\d+$/), link.click()]);
    assert.equal((await page.locator('h1').textContent()).trim(), name);
    assert.ok(await page.locator('table caption', { hasText: 'Latest rating' }).isVisible(), 'current ratings table');
    assert.ok(await page.locator('table caption', { hasText: 'newest first' }).isVisible(), 'rating history table');
    await assertAccessible(page, `the location page for ${name}`);

    const providerLink = page.locator('main a[href^="/providers/"]').first();
    const providerName = (await providerLink.textContent()).trim();
    await Promise.all([page.waitForURL(/\/providers\/1-\d+$/), providerLink.click()]);
    assert.equal((await page.locator('h1').textContent()).trim(), providerName);
    assert.ok(await page.locator('table a', { hasText: name }).first().isVisible(), 'the provider lists the location');
    await assertAccessible(page, `the provider page for ${providerName}`);
  });

  it('shows a location page well on a phone', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(url('/locations?sort=recently_rated&per_page=1'));
    await page.locator('.result__title a').first().click();
    await page.waitForURL(/\/locations\/1-\d+$/);
    await assertAccessible(page, 'a location page at 390px');
  });
});

describe('error pages', () => {
  it('says a location is not found with a 404', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/locations/1-999999999'));
    assert.equal(response.status(), 404);
    assert.equal((await page.locator('h1').textContent()).trim(), 'Page not found');
    await assertAccessible(page, 'the 404 page');
  });

  it('explains a malformed location ID with a 400', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/locations/abc'));
    assert.equal(response.status(), 400);
    assert.match(await page.locator('main').textContent(), /abc is not a valid location ID/);
    await assertAccessible(page, 'the 400 page');
  });
});
