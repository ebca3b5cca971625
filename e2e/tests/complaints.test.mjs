// Raising and following a complaint in a real browser: a member of the public
// raises one about the demo manager's service from its public page (with an
// error on the way), keeps the private follow link; the manager acknowledges
// it and sends the response; the follower then reads the response. Axe checks
// every page.

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

describe('concerns and complaints', () => {
  it('are raised by the public, answered by the provider and followed by their private link', async () => {
    const location = await managersService(browser);

    // The public, on a phone.
    const person = await newPage(browser, { phone: true });
    await person.goto(url(`/locations/${location}`));
    await Promise.all([person.waitForURL(/\/complaints\/new$/), person.click('text=Raise a concern or complaint')]);
    await assertAccessible(person, 'the complaint form');
    await submit(person);
    assert.match(await person.locator('.error-summary').textContent(), /Describe what happened/);
    await assertAccessible(person, 'the complaint form with errors');
    await person.fill('#what_happened', 'The evening medicines round was an hour late three nights running.');
    await person.check('#relationship-family');
    await person.fill('#name', 'Ann Example');
    await person.fill('#email', 'ann@example.org');
    await submit(person);
    assert.match(person.url(), /\/complaints\/follow\/[A-Za-z0-9_-]+\/sent$/);
    const reference = (await person.locator('.panel__reference').textContent()).trim();
    const follow = await person.locator('a.secret').getAttribute('href');
    await assertAccessible(person, 'the complaint sent page');
    await person.goto(follow);
    assert.match(await person.locator('main').textContent(), /Received\. The service should acknowledge it by/);
    await assertAccessible(person, 'the follow page before a response');

    // The registered manager acknowledges it and sends the response.
    const manager = await newPage(browser);
    await signIn(manager, demo('manager'));
    await manager.goto(url(`/manage/locations/${location}/complaints`));
    await assertAccessible(manager, 'the complaints dashboard');
    await Promise.all([manager.waitForEvent('load'), manager.click(`text=${reference}`)]);
    await assertAccessible(manager, 'a complaint with its step forms');
    await submit(manager, 'form[aria-labelledby="acknowledge-heading"] button');
    assert.match(await manager.locator('.notice').textContent(), /Acknowledge the complaint/);
    await manager.fill('#send_response-response', 'We are sorry. The evening round now starts at 7pm, checked by the nurse in charge.');
    await submit(manager, 'form[aria-labelledby="send_response-heading"] button');
    assert.match(await manager.locator('main').textContent(), /Response sent/);
    await assertAccessible(manager, 'the complaint after the response');

    // The follower reads the response.
    await person.goto(follow);
    const text = await person.locator('main').textContent();
    assert.match(text, /The service has sent its response/);
    assert.match(text, /The evening round now starts at 7pm/);
    await assertAccessible(person, 'the follow page with the response');
  });
});
