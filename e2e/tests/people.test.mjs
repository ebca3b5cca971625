// The people's rating in a real browser: finding services by what people say of
// them, and reading on a service page what people say apart from the regulator's
// rating, with how it was worked out. Every page is audited with axe.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, newPage, resultCount, signIn, url } from './browser.mjs';

let browser;

/** Waits for the first monitoring snapshot, which the people's rating comes with. */
async function ratingsReady() {
  for (let i = 0; i < 120; i++) {
    const response = await fetch(url('/api/v1/locations?people_verdict=better&per_page=1'));
    if (response.status === 200) return (await response.json()).items[0].id;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the people\'s ratings were not worked out within a minute');
}

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe("the people's rating", () => {
  it('finds services people rate better, and sorts the best first', async () => {
    await ratingsReady();
    const page = await newPage(browser);
    await page.goto(url('/locations'));
    await page.selectOption('#people_verdict', 'better');
    await page.selectOption('#sort', 'people_rating');
    await Promise.all([page.waitForURL(/people_verdict=better/), page.click('form.filters button[type=submit]')]);
    assert.ok((await resultCount(page)) >= 1, 'the demo has services people rate better');
    const tags = await page.locator('.result .people').allTextContents();
    assert.ok(tags.length >= 1 && tags.every((t) => t.includes('Better than similar services')), tags.join(' | '));
    assert.equal(await page.locator('#people_verdict').inputValue(), 'better', 'the filter stays selected');
    await assertAccessible(page, 'the directory filtered by what people say');

    await page.goto(url('/locations?sort=people_rating&per_page=100'));
    const first = await page.locator('.result .people').first().textContent();
    assert.match(first, /Better than similar services/);
  });

  it('shows a service\'s verdict apart from the regulator\'s rating, and how it was worked out', async () => {
    const id = await ratingsReady();
    for (const phone of [false, true]) {
      const page = await newPage(browser, { phone });
      await page.goto(url(`/locations/${id}`));
      const headline = page.locator('#people-headline');
      assert.match(await headline.textContent(), /not the regulator's rating/);
      assert.match(await headline.textContent(), /What people say: better than similar services \(n = \d+, \w{3} \d{4} – \w{3} \d{4}\)/);
      await page.click('#people-headline a[href="#peoples-rating"]');
      assert.ok(await page.locator('#people-caption').isVisible(), 'the figures are on the page');
      await page.click('#people-worked-out summary');
      assert.match(await page.locator('#people-worked-out').textContent(), /19 times out of 20/);
      await assertAccessible(page, `a service people rate better${phone ? ' at 390px' : ''}`);
    }
  });

  it('compares services ticked in the directory side by side', async () => {
    const page = await newPage(browser);
    await page.goto(url('/locations?per_page=10'));
    const boxes = page.locator('#compare-form input[name=ids]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await Promise.all([page.waitForURL(/\/compare\?/), page.click('#compare-form button[type=submit]')]);
    assert.match(await page.locator('#compare-caption').textContent(), /2 services side by side/);
    await assertAccessible(page, 'two services compared');
    await Promise.all([page.waitForURL(/\/compare\?ids=/), page.locator('a', { hasText: 'Remove' }).first().click()]);
    assert.match(await page.locator('#compare-caption').textContent(), /1 service side by side/);
  });

  it("shows a person how the things that matter to them have gone, on a computer and a phone", async () => {
    for (const phone of [false, true]) {
      const page = await newPage(browser, { phone });
      await page.goto(url('/feedback/demo-person-following-their-outcomes'));
      assert.equal(await page.locator('svg.chart').count(), 2, 'a chart for each outcome followed');
      assert.match(await page.locator('table').first().textContent(), /Better/);
      await assertAccessible(page, `a person's own page with their outcomes${phone ? ' at 390px' : ''}`);
    }
  });

  it('lets a moderator count a burst of answers', async () => {
    await ratingsReady();
    const page = await newPage(browser);
    await signIn(page, demo('moderator'), { landing: /\/(manage|moderation)/ });
    await page.goto(url('/moderation/bursts'));
    assert.match(await page.locator('main').textContent(), /far more|usually gets/);
    await assertAccessible(page, 'the bursts of answers');
    await page.locator('input[name=decision][value=count]').first().check();
    await Promise.all([page.waitForURL(/saved=1/), page.locator('main form button[type=submit]').first().click()]);
    assert.match(await page.locator('main').textContent(), /Counted in the rating/);
  });
});

