// Notices in a real browser: the demo manager chooses how each kind of email
// comes on their account page (a moderator has no such choices); a complaint
// raised by the public sends them an email whose one-click link stops those
// emails, and starts them again, without signing in; and their service
// workspace opens with what needs doing now. Axe checks every page, at phone
// width too where the page is one a person opens from an email.
//
// Choices changed here are set back to "Each one as it happens" before the end.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, managersService, newPage, signIn, submitForm as submit, url } from './browser.mjs';

const COMPLAINTS = 'New complaints about your services';
const EACH = 'Each one as it happens';
const DIGEST = 'In one email a day, at 7am';
const NONE = 'None';

let browser;
/** The demo manager's service. */
let location;

before(async () => {
  browser = await launch();
  location = await managersService(browser);
});

after(async () => {
  await browser?.close();
});

const heading = async (page) => (await page.locator('h1').first().textContent()).trim();

/** The radio labelled `label` in the account page's group for new complaints. */
const complaintsChoice = (page, label) => page.getByRole('group', { name: COMPLAINTS }).getByLabel(label, { exact: true });

/** Checks `label` for new complaints on the account page, saves, and checks the confirmation. */
async function chooseForComplaints(page, label) {
  await complaintsChoice(page, label).check();
  await submit(page, 'form[action="/account/emails"] button[type=submit]');
  assert.match(page.url(), /\/account\?done=emails#emails$/);
  const saved = page.locator('h2#emails + .notice');
  assert.match(await saved.textContent(), /Your choices of emails have been saved\./);
  assert.ok(await saved.isVisible() && (await saved.boundingBox()).y >= 0, 'the confirmation is where the page opens');
  assert.ok(await complaintsChoice(page, label).isChecked(), `"${label}" is checked once saved`);
}

describe('choosing which emails come', () => {
  it('a manager chooses how emails about new complaints come', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('manager'));
    await page.goto(url('/account'));
    assert.equal((await page.locator('h2#emails').textContent()).trim(), 'Emails');
    const form = page.locator('form[action="/account/emails"]');
    assert.equal(await form.getByRole('button', { name: 'Save email choices' }).count(), 1);
    assert.deepEqual(
      await page.getByRole('group', { name: COMPLAINTS }).locator('label').allTextContents(),
      [EACH, DIGEST, NONE],
    );
    await assertAccessible(page, 'the account page with email choices');
    await page.setViewportSize({ width: 390, height: 844 });
    await assertAccessible(page, 'the account page with email choices at 390px');
    await page.setViewportSize({ width: 1280, height: 900 });

    await chooseForComplaints(page, DIGEST);
    await assertAccessible(page, 'the account page with its choices saved');
    await page.goto(url('/account'));
    assert.ok(await complaintsChoice(page, DIGEST).isChecked(), 'the choice is kept');
    assert.ok(!(await complaintsChoice(page, EACH).isChecked()));

    await chooseForComplaints(page, EACH);
  });

  it('a moderator has no emails to choose', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('moderator'));
    await page.goto(url('/account'));
    assert.equal(await heading(page), 'Your account');
    assert.equal(await page.locator('#emails, form[action="/account/emails"]').count(), 0);
  });
});

describe('the link at the foot of a notice', () => {
  it('stops those emails in one click, and starts them again', async () => {
    // The public raises a complaint about the manager's service.
    const person = await newPage(browser, { phone: true });
    await person.goto(url(`/locations/${location}/complaints/new`));
    await person.fill('#what_happened', 'Nobody answered the call bell for twenty minutes on Sunday night.');
    await person.check('#relationship-family');
    await person.fill('#name', 'Ann Example');
    await person.fill('#email', 'ann@example.org');
    await submit(person);
    const reference = (await person.locator('.panel__reference').textContent()).trim();

    // The administrator reads the manager's email about it in the outbox.
    const admin = await newPage(browser);
    await signIn(admin, demo('admin'));
    await admin.goto(url('/admin/outbox'));
    const email = admin
      .locator('.result')
      .filter({ has: admin.locator('.result__title', { hasText: `(reference ${reference})` }) })
      .filter({ hasText: demo('manager') })
      .first();
    assert.match((await email.locator('.result__title').textContent()).trim(), new RegExp(`^New complaint about .+ \\(reference ${reference}\\)$`));
    const body = await email.locator('pre.outbox-body').textContent();
    const link = body.match(/^Stop these emails: (\S+)$/m);
    assert.ok(link, `the email ends with a link to stop them:\n${body}`);
    const unsubscribe = new URL(link[1]).pathname;
    assert.match(unsubscribe, /^\/unsubscribe\/[A-Za-z0-9_-]+$/);

    // Anyone holding the link, signed out, at their desk or on a phone.
    const phone = await newPage(browser, { phone: true });
    assert.equal((await phone.goto(url(unsubscribe))).status(), 200);
    await assertAccessible(phone, 'the stop emails page at 390px');
    const visitor = await newPage(browser);
    assert.equal((await visitor.goto(url(unsubscribe))).status(), 200);
    assert.equal(await heading(visitor), 'Stop these emails');
    assert.equal((await visitor.locator('main strong').textContent()).trim(), COMPLAINTS);
    assert.match(await visitor.locator('main').textContent(), /to m…@demo\.candour\.example\?/);
    await assertAccessible(visitor, 'the stop emails page');

    await submit(visitor, 'main button:has-text("Stop these emails")');
    assert.equal(await heading(visitor), 'Emails stopped');
    assert.match(await visitor.locator('main').textContent(), new RegExp(`We will not send any more emails about ${COMPLAINTS} to m…@demo`));
    await assertAccessible(visitor, 'the emails stopped page');

    // The manager's account shows the emails stopped.
    const manager = await newPage(browser);
    await signIn(manager, demo('manager'));
    await manager.goto(url('/account'));
    assert.ok(await complaintsChoice(manager, NONE).isChecked(), 'stopped: the account says none come');

    await submit(visitor, 'main button:has-text("Start them again")');
    assert.equal(await heading(visitor), 'Emails started again');
    assert.match(await visitor.locator('main').textContent(), new RegExp(`Emails about ${COMPLAINTS} to m…@demo\\.candour\\.example have started again`));
    await assertAccessible(visitor, 'the emails started again page');
    await manager.reload();
    assert.ok(await complaintsChoice(manager, EACH).isChecked(), 'started again: each one comes');
  });

  it('an unknown link is not found', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/unsubscribe/not-a-link-we-sent'));
    assert.equal(response.status(), 404);
    assert.match(await page.locator('main').textContent(), /This link to stop emails is not known/);
    await assertAccessible(page, 'the unknown stop emails link');
  });
});

describe('the service workspace', () => {
  it('opens with what needs doing now, each link leading to a page', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('manager'));
    assert.equal((await page.goto(url(`/manage/locations/${location}`))).status(), 200);
    assert.equal(await page.locator('main h2').first().getAttribute('id'), 'needs-heading', 'it comes first, after the h1');
    assert.equal((await page.locator('#needs-heading').textContent()).trim(), 'Needs doing now');
    await assertAccessible(page, 'the service workspace with what needs doing');

    const needs = page.locator('section[aria-labelledby="needs-heading"]');
    const hrefs = await needs.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    if (hrefs.length === 0) {
      assert.match(await needs.textContent(), /Nothing needs doing now\./);
    }
    for (const href of hrefs) {
      assert.equal((await page.request.get(url(href), { maxRedirects: 0 })).status(), 200, href);
    }
  });
});
