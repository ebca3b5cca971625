// Giving feedback in a real browser on a phone-sized screen: from a service's
// page through every screen of the form (and its error path) to the thank-you
// page and the private return link, with axe on each page. The form is served
// without any script, so this is also the journey without JavaScript.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, assertKeyboardFocusVisible, launch, newPage, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The first registered service in the directory: its page's path. */
async function firstService(page) {
  await page.goto(url('/locations?per_page=1'));
  return page.locator('.result__title a').first().getAttribute('href');
}

/** Presses Continue and waits for the next screen (each is a new page from a POST). */
async function continueOn(page) {
  await Promise.all([page.waitForEvent('load'), page.click('main button[value=next]')]);
}

async function heading(page) {
  return (await page.locator('h1').first().textContent()).trim();
}

describe('giving feedback on a phone', () => {
  it('goes through every screen, with an error on the way, to the thank-you and return pages', async () => {
    const page = await newPage(browser, { phone: true });
    const service = await firstService(page);
    await page.goto(url(service));
    assert.equal((await page.locator('#what-people-say').textContent()).trim(), 'What people say');
    await assertAccessible(page, 'a location page with what people say');

    await Promise.all([page.waitForURL(/\/feedback$/), page.click('.button--start')]);
    assert.equal(await page.locator('script').count(), 0, 'the form needs no JavaScript');
    assert.equal(await heading(page), 'Who are you?');
    await assertAccessible(page, 'the first feedback screen');
    await assertKeyboardFocusVisible(page, 'respondent');

    // The error path: Continue without choosing.
    await continueOn(page);
    assert.match(await page.title(), /^Error: Who are you\?/);
    assert.match(await page.locator('.error-summary').textContent(), /Choose who you are/);
    assert.match(await page.locator('#respondent-error').textContent(), /Choose who you are/);
    await assertAccessible(page, 'a feedback screen with an error');
    await page.click('.error-summary a[href="#respondent"]');
    assert.match(page.url(), /#respondent$/);

    await page.check('#respondent');
    await continueOn(page);
    assert.equal(await heading(page), 'Is someone helping you fill this in?');
    await page.check('#helper');
    await continueOn(page);
    assert.equal(await heading(page), 'Overall, how was your experience of this service?');
    await assertAccessible(page, 'the overall question');
    await page.check('#overall');
    await continueOn(page);

    // One screen per outcome question, each answered with its first choice.
    let questions = 0;
    while ((await page.locator('input[type=radio][name^="answers."]').count()) > 0) {
      if (questions === 0) await assertAccessible(page, 'an outcome question');
      await page.locator('input[type=radio][name^="answers."]').first().check();
      await continueOn(page);
      questions += 1;
    }
    assert.equal(questions, 8, 'eight outcome questions, one per screen');

    assert.equal(await heading(page), 'What matters most to you?');
    await assertAccessible(page, 'the personal outcomes screen');
    await page.fill('#personal_outcomes-1', 'Walk to the shop');
    await continueOn(page);
    assert.match(await heading(page), /Tell us about your experience/);
    await assertAccessible(page, 'the story screen');
    await page.fill('#story', 'The carers are kind and they listen to me.');
    await continueOn(page);
    assert.equal(await heading(page), 'Do you want to stay anonymous to the service?');
    await assertAccessible(page, 'the anonymity and contact screen');
    await continueOn(page);

    assert.equal(await heading(page), 'Check your answers before sending');
    assert.match(await page.locator('#check-answers').textContent(), /Walk to the shop/);
    await assertAccessible(page, 'the check your answers screen');
    await Promise.all([page.waitForURL(/\/feedback\/[^/]+\/thanks$/), page.click('main button[value=submit]')]);

    assert.equal(await heading(page), 'Thank you for your feedback');
    assert.match(await page.locator('.panel__reference').textContent(), /\w{4}/);
    await assertAccessible(page, 'the thank-you page');
    const returnLink = await page.locator('a.secret').getAttribute('href');
    assert.match(returnLink, /\/feedback\/[A-Za-z0-9_-]{16,}$/);

    await page.goto(returnLink);
    assert.equal(await heading(page), 'Your feedback');
    assert.match(await page.locator('main').textContent(), /Waiting to be read/);
    await assertAccessible(page, 'the return page');
    await page.locator('form.outcome input[type=radio]').first().check();
    await Promise.all([page.waitForURL(/done=rated/), page.click('form.outcome button[type=submit]')]);
    assert.match(await page.locator('.notice').textContent(), /your progress has been saved/);
    assert.match(await page.locator('form.outcome').first().textContent(), /Last time you said: Better/);
    await assertAccessible(page, 'the return page after rating progress');
  });

  it('offers a printable poster with the QR code', async () => {
    const page = await newPage(browser);
    const service = await firstService(page);
    await page.goto(url(`${service}/feedback/poster`));
    assert.equal(await heading(page), 'Tell us what you think');
    assert.match(await page.locator('.poster__link').textContent(), /\/f\/\d+$/);
    const loaded = await page.locator('.poster__qr').evaluate((img) => img.complete && img.naturalWidth > 0);
    assert.ok(loaded, 'the QR code image loads');
    await assertAccessible(page, 'the feedback poster');
  });
});
