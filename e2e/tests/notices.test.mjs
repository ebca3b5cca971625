// Notices in a real browser: the demo manager chooses how each kind of email
// comes on their account page (a moderator has no such choices); a complaint
// raised by the public sends them an email whose one-click link stops those
// emails, and starts them again, without signing in; and their service
// workspace opens with what needs doing now. A visitor asks for news of a
// service by email (with a wrong address on the way), and confirms through the
// link in the email the administrator reads in the outbox. A person who raised
// a complaint tells the service from their private follow link (refused, with
// errors, until what they say fits). Axe checks every page, at phone width too
// where the page is one a person opens from an email or a private link, and
// each choice on the form is named by its own label.
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

describe('news of a service by email', () => {
  it('a visitor asks for it, and confirms through the link in the email', async () => {
    // From the service's public page, signed out.
    const visitor = await newPage(browser);
    await visitor.goto(url(`/locations/${location}`));
    const service = await heading(visitor);
    await Promise.all([visitor.waitForURL(new RegExp(`/locations/${location}/follow$`)), visitor.click('text=Get news of this service by email')]);
    assert.equal(await heading(visitor), `Get news of ${service} by email`);
    assert.equal(await visitor.getByLabel('Your email address', { exact: true }).getAttribute('id'), 'email');
    assert.equal(await visitor.getByRole('button', { name: 'Send me a link to confirm' }).count(), 1);
    await assertAccessible(visitor, 'the form to get news of a service');
    await visitor.setViewportSize({ width: 390, height: 844 });
    await assertAccessible(visitor, 'the form to get news of a service at 390px');
    await visitor.setViewportSize({ width: 1280, height: 900 });

    // A wrong address is refused, saying why.
    await visitor.fill('#email', 'not an address');
    const [refused] = await Promise.all([
      visitor.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/locations/${location}/follow`),
      submit(visitor),
    ]);
    assert.equal(refused.status(), 400);
    assert.match(await visitor.title(), /^Error: /);
    assert.equal(await heading(visitor), `Get news of ${service} by email`, 'the heading stays as it was');
    const summary = visitor.locator('.error-summary');
    assert.match(await summary.textContent(), /Enter an email address like name@example\.com/);
    assert.equal(await summary.locator('a').first().getAttribute('href'), '#email');
    assert.match(await visitor.locator('#email-error').textContent(), /Enter an email address like name@example\.com/);
    await assertAccessible(visitor, 'the form to get news of a service with an error');

    // A good one, written with capitals, is kept in lower case.
    const address = `Follower.${Date.now()}@Example.ORG`;
    await visitor.fill('#email', address);
    await submit(visitor);
    assert.equal(await heading(visitor), 'Check your email');
    assert.match(await visitor.locator('main').textContent(), new RegExp(address.toLowerCase().replaceAll('.', '\\.')));
    await assertAccessible(visitor, 'the check your email page');

    // The administrator reads the email to confirm in the outbox.
    const admin = await newPage(browser);
    await signIn(admin, demo('admin'));
    await admin.goto(url('/admin/outbox'));
    const email = admin
      .locator('.result')
      .filter({ has: admin.locator('.facts__row', { hasText: address.toLowerCase() }) })
      .first();
    assert.equal((await email.locator('.result__title').textContent()).trim(), `Confirm you want news of ${service}`);
    const body = await email.locator('pre.outbox-body').textContent();
    const link = body.match(/^(\S+\/follow\/\S+)$/m);
    assert.ok(link, `the email holds a link to confirm:\n${body}`);
    assert.ok(link[1].startsWith(url('/follow/')), `the link is on the public site: ${link[1]}`);
    const confirm = new URL(link[1]).pathname;
    assert.match(confirm, /^\/follow\/[A-Za-z0-9_-]+$/);

    // Whoever holds the link, signed out, on a phone, confirms.
    const phone = await newPage(browser, { phone: true });
    assert.equal((await phone.goto(url(confirm))).status(), 200);
    assert.equal(await heading(phone), `Confirm you want news of ${service}`);
    await assertAccessible(phone, 'the page to confirm news of a service at 390px');
    await submit(phone, 'main button:has-text("Confirm")');
    assert.equal(await heading(phone), `You are following ${service}`);
    await assertAccessible(phone, 'the page saying the visitor follows a service at 390px');
  });

  it('an unknown link to confirm is not found', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/follow/not-a-link-we-sent'));
    assert.equal(response.status(), 404);
    assert.match(await page.locator('main').textContent(), /This link to confirm is not known/);
    await assertAccessible(page, 'the unknown link to confirm');
  });
});

/** The choices of what to tell the service, in order. */
const ANSWERS = ['Add information', 'I am satisfied with the response', 'I am not satisfied with the response', 'I am taking it further'];

/** Raises a complaint about the manager's service as the public, and opens its private follow page. */
async function raiseAndFollow(page, whatHappened) {
  await page.goto(url(`/locations/${location}/complaints/new`));
  await page.fill('#what_happened', whatHappened);
  await page.check('#relationship-family');
  await page.fill('#name', 'Ann Example');
  await page.fill('#email', 'ann@example.org');
  await submit(page);
  const follow = await page.locator('a.secret').getAttribute('href');
  assert.match(new URL(follow, url('/')).pathname, /^\/complaints\/follow\/[A-Za-z0-9_-]+$/);
  await page.goto(follow);
}

describe('a complainant tells the service', () => {
  it('from their private follow link, refused until what they say fits', async () => {
    const person = await newPage(browser);
    await raiseAndFollow(person, 'My mother was left in her chair all afternoon without a drink.');

    // The form comes last, under its heading.
    assert.equal((await person.locator('h2#tell-the-service').textContent()).trim(), 'Tell the service');
    assert.equal(await person.locator('main h2').last().getAttribute('id'), 'tell-the-service', 'it is the last section');
    const form = person.locator('main form').filter({ has: person.getByRole('button', { name: 'Send to the service' }) });
    assert.equal(await form.count(), 1);
    assert.deepEqual(
      (await person.getByRole('group', { name: 'What do you want to tell the service?' }).locator('label').allTextContents()).map((t) => t.trim()),
      ANSWERS,
    );
    assert.equal(await person.getByLabel('Your words (optional unless you are adding information)').getAttribute('id'), 'text');
    const to = person.getByRole('group', { name: 'Who are you taking it to?' });
    assert.equal(await to.getByRole('radio').count(), 2);
    assert.equal(await to.getByRole('radio', { name: 'The Local Government and Social Care Ombudsman', exact: true }).count(), 1);
    await assertAccessible(person, 'the follow page with the form to tell the service');
    await person.setViewportSize({ width: 390, height: 844 });
    await assertAccessible(person, 'the follow page with the form to tell the service at 390px');
    await person.setViewportSize({ width: 1280, height: 900 });

    const choose = (value) => person.locator(`main form input[name=answer][value=${value}]`).check();
    const send = () => submit(person, 'main form button:has-text("Send to the service")');

    /** Sends the form and checks it is refused (400) with `message`, linked from the summary to `#field`. */
    async function refused(field, message) {
      const [response] = await Promise.all([
        person.waitForResponse((r) => r.request().method() === 'POST' && /\/answers$/.test(new URL(r.url()).pathname)),
        send(),
      ]);
      assert.equal(response.status(), 400);
      assert.match(await person.title(), /^Error: /);
      const link = person.locator(`.error-summary a[href="#${field}"]`);
      assert.equal(await link.count(), 1, `the error summary links to #${field}`);
      assert.match(await link.textContent(), message);
      assert.ok((await person.locator(`[id="${field}"]`).count()) > 0, `#${field} is on the page`);
    }

    // Not satisfied, before the service has responded.
    await choose('not_satisfied');
    await refused('answer', /The service has not sent its response yet/);
    await assertAccessible(person, 'the form to tell the service, refused before the response');

    // Information, with nothing written.
    await choose('information');
    await person.fill('#text', '');
    await refused('text', /Write what you want to add/);
    await assertAccessible(person, 'the form to tell the service, refused with nothing written');

    // Information, written.
    const words = `She has had a fall since, on ${Date.now()}.`;
    await choose('information');
    await person.fill('#text', words);
    await send();
    assert.match(person.url(), /\/complaints\/follow\/[A-Za-z0-9_-]+\?done=answered#tell-the-service$/);
    assert.match(await person.locator('main').textContent(), /Thank you: what you said is kept with your complaint, and the service has been told\./);
    const timeline = (await person.locator('ol[aria-labelledby="timeline-heading"] li').allTextContents()).map((line) => line.replace(/\s+/g, ' '));
    assert.ok(
      timeline.some((line) => line.includes(`Information added by the person who raised it: ${words}`)),
      `the timeline has the information added:\n${timeline.join('\n')}`,
    );
    await assertAccessible(person, 'the follow page after telling the service');
  });

  // Axe only lists a shared id as "needs review", so this is checked here.
  it('names each choice by its own label', async () => {
    const person = await newPage(browser);
    await raiseAndFollow(person, 'Nobody told us the visiting hours had changed.');
    const form = person.locator('main form').filter({ has: person.getByRole('button', { name: 'Send to the service' }) });
    for (const label of ANSWERS) {
      assert.equal(await form.getByRole('radio', { name: label, exact: true }).count(), 1, `a radio is named "${label}"`);
    }
    const duplicates = await person.evaluate(() => {
      const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
      return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    });
    assert.deepEqual(duplicates, [], 'every id on the page is unique');
  });
});
