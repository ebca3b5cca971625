// Visits by experts by experience in a real browser: the expert writes a report
// (a quote that names someone is refused beside its field, nothing typed is lost)
// and sends it; the provider challenges a fact; the public reads what the experts
// found; the inspector asks someone new to visit. Every page is audited with axe.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, newPage, signIn, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Clicks a button and waits for the page it loads. */
async function submit(page, button) {
  await Promise.all([page.waitForEvent('load'), page.locator(button).click()]);
}

describe('visits by experts by experience', () => {
  it('an expert writes a report, is stopped from naming anyone, and sends it', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('expert'));
    await page.click('a[href="/visits"]');
    await assertAccessible(page, "an expert's visits");
    await submit(page, 'form[action="/visits"] button[type=submit]');
    assert.match(page.url(), /\/visits\/\d+#report$/);

    await page.fill('#visited_on', new Date().toISOString().slice(0, 10));
    await page.fill('#spoken_person', '5');
    await page.fill('#spoken_staff', '2');
    await page.locator('summary', { hasText: 'I feel safe' }).click();
    await page.selectOption('#judgement_safe', 'good');
    await page.fill('#quote_safe_1', 'Mr Jones on nights always checks on me');
    await page.selectOption('#quote_safe_1_from', 'person');
    await page.fill('#summary', 'People feel safe and are well known by the staff.');
    await submit(page, 'form[action$="/report"] button[type=submit]');
    assert.match(await page.locator('.error-summary').textContent(), /Take out the name: quotes must not identify anyone/);
    assert.match(await page.locator('#quote_safe_1-error').textContent(), /Take out the name/);
    assert.equal(await page.locator('#summary').inputValue(), 'People feel safe and are well known by the staff.', 'nothing typed is lost');
    await assertAccessible(page, 'a report refused for a name in a quote');

    await page.fill('#quote_safe_1', 'The night staff always check on me');
    await submit(page, 'form[action$="/report"] button[type=submit]');
    assert.equal(await page.locator('.error-summary').count(), 0);
    await submit(page, 'form[action$="/send"] button[type=submit]');
    assert.match(await page.locator('#workflow').textContent(), /With the provider/);
    assert.match(await page.locator('#spoken-with').textContent(), /5 people who use the service, 2 staff/);
    await assertAccessible(page, 'a report sent to the provider');
  });

  it("the provider challenges a fact in a report sent to it", async () => {
    const page = await newPage(browser);
    await signIn(page, demo('provider'));
    await page.goto(url('/visits'));
    await page.locator('tr', { hasText: 'With the provider' }).first().locator('a').click();
    await page.waitForURL(/\/visits\/\d+/);
    await page.selectOption('#part', 'statement:choice');
    await page.fill('#text', 'Two hot meals are offered at every tea; the menu is on the board.');
    await submit(page, 'form[action$="/challenges"] button[type=submit]');
    assert.match(await page.locator('#challenges ~ .result').last().textContent(), /Two hot meals are offered/);
    await assertAccessible(page, 'a visit report with a challenge raised');
  });

  it('the public reads what people with lived experience found, on a computer and a phone', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('expert'));
    await page.goto(url('/visits'));
    const published = page.locator('tr', { hasText: 'Published' }).first().locator('a');
    await published.click();
    await page.waitForURL(/\/visits\/\d+/);
    const href = await page.locator('a', { hasText: 'See it on the public page' }).getAttribute('href');
    const service = href.replace(/\/visits\/\d+$/, '');
    for (const phone of [false, true]) {
      const reader = await newPage(browser, { phone });
      await reader.goto(url(service));
      assert.match(await reader.locator('#lived-experience').textContent(), /What people with lived experience found/);
      await Promise.all([reader.waitForURL(/\/visits\/\d+$/), reader.locator(`a[href="${href}"]`).click()]);
      assert.match(await reader.locator('main').textContent(), /This is not the regulator's rating/);
      assert.ok((await reader.locator('#expert-statements tbody tr').count()) >= 1);
      await assertAccessible(reader, `a published visit${phone ? ' at 390px' : ''}`);
    }
  });

  it('an inspector asks someone new to visit, and bad input is refused beside its field', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('inspector'));
    await page.goto(url('/visits'));
    await page.fill('#name', 'Sam Expert');
    await page.fill('#email', 'not an address');
    const any = (await (await fetch(url('/api/v1/locations?per_page=1'))).json()).items[0].id;
    await page.fill('#location', any);
    await submit(page, 'form[action="/visits/experts"] button[type=submit]');
    assert.match(await page.locator('.error-summary').textContent(), /Enter an email address/);
    assert.equal(await page.locator('#name').inputValue(), 'Sam Expert');
    await assertAccessible(page, 'asking an expert, refused');
    await page.fill('#email', `sam.${Date.now()}@example.org`);
    await submit(page, 'form[action="/visits/experts"] button[type=submit]');
    assert.match(await page.locator('.notice').textContent(), /Sam Expert is invited to visit/);
  });
});
