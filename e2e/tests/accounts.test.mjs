// Signing in and out in a real browser as the demo users that `serve --demo`
// creates, with axe on the sign-in, account, manage and admin pages.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, assertKeyboardFocusVisible, demo, launch, newPage, signIn, signOut, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('signing in', () => {
  it('offers an accessible sign-in form', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url('/sign-in'));
    assert.equal(response.status(), 200);
    assert.equal((await page.locator('h1').textContent()).trim(), 'Sign in');
    await assertAccessible(page, 'the sign-in page');
    await assertKeyboardFocusVisible(page, 'email');
  });

  it('is accessible on a phone', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(url('/sign-in'));
    await assertAccessible(page, 'the sign-in page at 390px');
  });

  it('refuses a wrong password with one message and an accessible error summary', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('moderator'), { password: 'not the demo password', landing: /\/sign-in$/ });
    const summary = page.locator('.error-summary');
    assert.match(await summary.textContent(), /Enter a correct email address and password/);
    assert.match(await page.title(), /^Error: Sign in/);
    assert.equal(await page.locator('#password').inputValue(), '', 'the password is never shown back');
    await assertAccessible(page, 'the sign-in page with an error');
    await page.click('.error-summary a[href="#email"]');
    assert.match(page.url(), /#email$/);
  });

  it('asks for a password reset with the same answer for any address', async () => {
    const page = await newPage(browser);
    await page.goto(url('/sign-in'));
    await Promise.all([page.waitForURL(/\/password-reset$/), page.click('text=I have forgotten my password')]);
    await assertAccessible(page, 'the password reset page');
    await page.fill('#email', 'nobody@example.org');
    await page.click('main button[type=submit]');
    assert.equal((await page.locator('h1').textContent()).trim(), 'Check your email');
    await assertAccessible(page, 'the password reset confirmation');
  });

  it('brings a signed-out visitor back to the page they asked for', async () => {
    const page = await newPage(browser);
    await page.goto(url('/account'));
    assert.match(page.url(), /\/sign-in\?next=%2Faccount$/);
    await signIn(page, demo('moderator'), { landing: /\/account$/ });
    assert.equal((await page.locator('h1').textContent()).trim(), 'Your account');
  });
});

describe('an administrator', () => {
  it('signs in, visits every administration page and signs out', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('admin'));
    assert.match(await page.locator('.signed-in-as').textContent(), /admin@demo\.candour\.example/);
    await assertAccessible(page, 'the private home (administrator)');

    for (const [path, heading] of [
      ['/account', 'Your account'],
      ['/admin/users', 'Users'],
      ['/admin/users/invite', 'Invite a user'],
      ['/admin/audit', 'Audit log'],
      ['/admin/outbox', 'Outbox'],
    ]) {
      const response = await page.goto(url(path));
      assert.equal(response.status(), 200, path);
      assert.equal((await page.locator('h1').textContent()).trim(), heading);
      await assertAccessible(page, `${path} (administrator)`);
    }

    await page.goto(url('/admin/users'));
    await Promise.all([page.waitForURL(/\/admin\/users\/\d+$/), page.locator('table a').first().click()]);
    await assertAccessible(page, 'a user page');

    await page.goto(url('/admin/users/invite'));
    await page.click('main button[type=submit]');
    assert.match(await page.locator('.error-summary').textContent(), /Enter the person's name/);
    await assertAccessible(page, 'the invite page with errors');

    await signOut(page);
    assert.match(await page.locator('.notice').textContent(), /You have signed out/);
    await page.goto(url('/manage'));
    assert.match(page.url(), /\/sign-in\?next=%2Fmanage$/, 'signed out: private pages ask to sign in again');
  });

  it('creates an API token that is shown once', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('admin'));
    await page.goto(url('/account'));
    await page.fill('#name', 'Browser test');
    await page.click('form[action="/account/tokens"] button[type=submit]');
    const secret = (await page.locator('#token').textContent()).trim();
    assert.match(secret, /^cand_/);
    await assertAccessible(page, 'the new token page');
    const response = await page.request.get(url('/api/v1/me'), { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(response.status(), 200);
    assert.equal((await response.json()).email, demo('admin'));
    await page.goto(url('/account'));
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/revoke')),
      page.locator('form[action$="/revoke"] button').first().click(),
    ]);
    const revoked = await page.request.get(url('/api/v1/me'), { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(revoked.status(), 401);
  });
});

describe('each role sees its own workspace', () => {
  it('a provider administrator reaches the provider and one of its services', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('provider'));
    await Promise.all([page.waitForURL(/\/manage\/providers\/1-\d+$/), page.locator('a[href^="/manage/providers/"]').first().click()]);
    assert.equal((await page.locator('.caption').first().textContent()).trim(), 'Provider workspace');
    assert.ok(await page.locator('#invite-heading').isVisible(), 'a provider administrator may invite staff');
    await assertAccessible(page, 'the provider workspace');
    await Promise.all([page.waitForURL(/\/manage\/locations\/1-\d+$/), page.locator('main table a').first().click()]);
    assert.equal((await page.locator('.caption').first().textContent()).trim(), 'Service workspace');
    await assertAccessible(page, 'the location workspace');
    await page.goto(url('/admin/users'));
    assert.equal((await page.locator('h1').textContent()).trim(), 'You do not have access to this page');
    await signOut(page);
  });

  it('a commissioner reaches their area', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('commissioner'));
    await Promise.all([page.waitForURL(/\/manage\/areas\//), page.locator('a[href^="/manage/areas/"]').first().click()]);
    assert.equal((await page.locator('.caption').first().textContent()).trim(), 'Local authority');
    for (const id of ['attention-heading', 'warnings-heading', 'complaints-heading', 'plans-heading']) {
      assert.ok(await page.locator(`#${id}`).isVisible(), `the area view shows #${id}`);
    }
    await assertAccessible(page, 'the area view');
    // Their report, made with their session: what only they may see, then the public figures.
    const report = await page.request.get(url(await page.locator('a', { hasText: 'This view as a PDF report' }).getAttribute('href')));
    assert.equal(report.status(), 200);
    assert.equal(report.headers()['content-type'], 'application/pdf');
    const { execFileSync } = await import('node:child_process');
    const text = execFileSync('pdftotext', ['-', '-'], { input: await report.body() }).toString();
    for (const words of ['for commissioners', 'Services needing attention', 'Warning signs', 'Complaints', 'Improvement plans', 'The market in public']) {
      assert.ok(text.includes(words), `the commissioners' report says "${words}"`);
    }
    await signOut(page);
  });

  it('a staff member sees their service and nothing of other tenants', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('staff'));
    await assertAccessible(page, 'the private home (staff)');
    const response = await page.goto(url('/manage/locations/1-999999999'));
    assert.equal(response.status(), 404);
    await signOut(page);
  });
});
