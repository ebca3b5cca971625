// Building an improvement plan in a real browser: the demo provider starts a plan
// from one of its service's findings (with an error on the way), adds an action,
// has a renamed program refused, uploads evidence, marks the action done and
// publishes a summary, which the public then reads on the service's page. Axe
// checks every page; the plan is also read on a phone.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, managersService, newPage, signIn, submitForm as submit, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('improvement plans', () => {
  it('are built from a finding, evidenced, completed and published', async () => {
    const location = await managersService(browser);
    const title = `Plan made in the browser ${Date.now()}`;
    const page = await newPage(browser);
    await signIn(page, demo('provider'));

    await page.goto(url(`/manage/locations/${location}`));
    await Promise.all([page.waitForURL(/\/plans$/), page.click('main a[href$="/plans"]')]);
    await assertAccessible(page, 'the improvement plans list');
    await Promise.all([page.waitForURL(/\/plans\/new$/), page.click('text=Start a plan')]);
    await assertAccessible(page, 'the new plan form');

    // No title and no finding: both refused, beside their fields.
    await page.fill('#title', '');
    await submit(page);
    assert.match(await page.locator('.error-summary').textContent(), /Enter a title for the plan/);
    await assertAccessible(page, 'the new plan form with errors');

    await page.fill('#title', title);
    if ((await page.locator('input[name=finding]').count()) > 0) {
      await page.locator('input[name=finding]').first().check();
    } else {
      await page.fill('#other_text', 'Medicines audit in the browser found gaps');
    }
    await submit(page);
    assert.match(page.url(), /\/manage\/plans\/\d+\?saved=created$/);
    await assertAccessible(page, 'a new plan');

    await Promise.all([page.waitForURL(/\/actions\/new$/), page.click('text=Add an action')]);
    await assertAccessible(page, 'the new action form');
    await page.selectOption('#finding', { index: 1 });
    await page.selectOption('#statement', 'S8');
    await page.fill('#description', 'Two staff sign every evening medicines chart');
    await page.fill('#owner', 'Deputy manager');
    await page.fill('#due_on', '2035-06-30');
    await submit(page);
    assert.match(await page.locator('.notice').textContent(), /Action added/);
    await Promise.all([page.waitForURL(/\/actions\/\d+$/), page.click('text=Two staff sign every evening medicines chart')]);
    await assertAccessible(page, 'an action');

    // A program renamed as a PDF is refused by its content.
    await page.setInputFiles('#file', {
      name: 'audit.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]),
    });
    await submit(page, 'form[enctype="multipart/form-data"] button[type=submit]');
    assert.match(await page.locator('#file-error').textContent(), /is not a file we accept/);
    await assertAccessible(page, 'an action with a refused file');

    // A note on its own may be published; a file, and the note sent with it, stay private.
    await page.fill('#note', 'First week: every chart signed by two staff.');
    await submit(page, 'form[enctype="multipart/form-data"] button[type=submit]');
    assert.match(await page.locator('.notice').textContent(), /Evidence added/);
    await page.setInputFiles('#file', {
      name: 'audit.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('week,charts,gaps\n1,38,0\n'),
    });
    await submit(page, 'form[enctype="multipart/form-data"] button[type=submit]');
    assert.match(await page.locator('.notice').textContent(), /Evidence added/);
    assert.match(await page.locator('main').textContent(), /audit\.csv/);

    await page.check('#status-done');
    await submit(page, `form[action$="/status"] button[type=submit]`);
    assert.match(await page.locator('.notice').textContent(), /Status changed to done/);
    await assertAccessible(page, 'a done action');

    await page.click('text=Back to the plan');
    await page.waitForURL(/\/manage\/plans\/\d+$/);
    const planUrl = page.url();
    assert.match(await page.locator('main').textContent(), /1 of 1 action done/);
    await Promise.all([page.waitForURL(/\/publish$/), page.click('text=Publish a summary')]);
    await assertAccessible(page, 'the publish form');
    await page.fill('#summary', `${title}: we now check every evening medicines chart twice.`);
    await page.locator('input[name=action]').first().check();
    await page.locator('input[name=evidence]').first().check();
    await submit(page);
    assert.match(await page.locator('.notice').textContent(), /published/);

    // The plan on a phone.
    const phone = await newPage(browser, { phone: true });
    await signIn(phone, demo('provider'));
    await phone.goto(planUrl);
    await assertAccessible(phone, 'a plan on a phone');
    await phone.context().close();
    await page.context().close();

    // The public reads the summary, the action and the note; no file, no owner.
    const visitor = await newPage(browser, { phone: true });
    await visitor.goto(url(`/locations/${location}`));
    const section = await visitor.locator('main').textContent();
    assert.match(section, /Improving after our inspection/);
    assert.match(section, new RegExp(`${title}: we now check every evening medicines chart twice`));
    assert.match(section, /First week: every chart signed by two staff/);
    assert.doesNotMatch(section, /audit\.csv/);
    await assertAccessible(visitor, 'the public page with a published plan');
    await visitor.context().close();
  });
});
