// Moderation and replies in a real browser, as the people who do them: feedback
// with a story arrives through the API; the moderator finds it by its reference,
// edits a name out and publishes it; the provider's administrator replies,
// claiming a change; the moderator checks the reply; a visitor reads the story
// and the reply on the public page. Axe audits every page on the way, error
// pages included.
//
// Each person keeps one browser context (one sign-in) for the whole journey:
// sign-in is rate limited per address. The steps run in order and share state.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, assertKeyboardFocusVisible, demo, launch, newPage, signIn, url } from './browser.mjs';

let browser;
let moderator;
let provider;

const NAME = 'Bernadette Okafor';
const STORY = `Our carer ${NAME} was rude to my father, and the lunches arrive cold.`;
const EDITED = 'Our carer was rude to my father, and the lunches arrive cold.';
const REPLY = 'We are sorry. We have spoken to the team about how they speak to people.';
const CHANGE = 'Lunches now go out on heated trolleys';

/** Filled in as the journey goes. */
const journey = { locationId: '', locationName: '', reference: '', responsePath: '', storyId: '' };

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const heading = async (page) => (await page.locator('h1').first().textContent()).trim();
const main = async (page) => (await page.locator('main').textContent()).replace(/\s+/g, ' ');

/** Presses a button and waits for the page its form leads to. */
async function submit(page, button, scope = page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    scope.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

describe('a story from arrival to a published reply', () => {
  it('feedback with a story arrives through the API', async () => {
    provider = await newPage(browser);
    await signIn(provider, demo('provider'));
    await Promise.all([
      provider.waitForURL(/\/manage\/providers\/1-\d+$/),
      provider.locator('a[href^="/manage/providers/"]').first().click(),
    ]);
    const service = provider.locator('main table a[href^="/manage/locations/"]').first();
    journey.locationName = (await service.textContent()).trim();
    await Promise.all([provider.waitForURL(/\/manage\/locations\/1-\d+$/), service.click()]);
    journey.locationId = new URL(provider.url()).pathname.split('/').pop();

    const answers = Object.fromEntries(
      ['choice', 'safe', 'dignity', 'listened', 'matters', 'in_touch', 'reliable', 'information'].map((q) => [q, 'some_not_enough']),
    );
    const response = await provider.request.post(url(`/api/v1/locations/${journey.locationId}/feedback`), {
      data: { respondent: 'family', overall: 'poor', answers, story: STORY },
    });
    assert.equal(response.status(), 201, await response.text());
    journey.reference = (await response.json()).reference;
    assert.match(journey.reference, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  });

  it('the moderator finds it by its reference and reads it in full', async () => {
    moderator = await newPage(browser);
    await signIn(moderator, demo('moderator'));
    await moderator.goto(url('/moderation'));
    assert.equal(await heading(moderator), 'Moderation');
    await assertAccessible(moderator, 'the moderation queue');

    await moderator.fill('#reference', journey.reference.toLowerCase());
    await Promise.all([moderator.waitForURL(/\/moderation\/\d+$/), moderator.getByRole('button', { name: 'Find' }).click()]);
    journey.responsePath = new URL(moderator.url()).pathname;
    assert.equal(await heading(moderator), `Response ${journey.reference}`);
    assert.equal(await moderator.inputValue('#published_text'), STORY, 'the copy to publish starts as the original');
    assert.ok((await moderator.locator('mark').count()) > 0, "the pre-screen's words are marked");
    assert.match(await main(moderator), /remove names of people and staff/);
    await assertAccessible(moderator, 'a response to moderate');
    await assertKeyboardFocusVisible(moderator, 'published_text');
  });

  it('the moderator must choose a level and a decision, then publishes an edited copy', async () => {
    const page = moderator;
    const refused = await submit(page, 'Save the decision');
    assert.equal(refused.status(), 400);
    assert.match(await page.title(), /^Error: /);
    const summary = await page.locator('.error-summary').textContent();
    assert.match(summary, /Choose how serious the most serious thing said is/);
    assert.match(summary, /Choose whether to publish or reject this response/);
    assert.match(await page.locator('#criticality-error').textContent(), /Choose how serious/);
    await assertAccessible(page, 'a moderation refused for want of a decision');
    await page.click('.error-summary a[href="#criticality"]');
    assert.match(page.url(), /#criticality$/);

    await page.fill('#published_text', EDITED);
    await page.check('#criticality-3');
    await page.check('#decision');
    const saved = await submit(page, 'Save the decision');
    assert.equal(saved.status(), 303);
    assert.equal(new URL(page.url()).pathname, journey.responsePath);
    const text = await main(page);
    assert.match(text, /You published this response\./);
    assert.match(text, /3 \(moderate\)/);
    assert.ok(text.includes(EDITED), 'the published copy is shown');
    await assertAccessible(page, 'a published response');
  });

  it('the provider administrator replies, claiming a change', async () => {
    const page = provider;
    await page.goto(url(`/manage/locations/${journey.locationId}`));
    await Promise.all([page.waitForURL(/\/voice$/), page.getByRole('link', { name: 'Stories and replies' }).click()]);
    assert.equal(await heading(page), journey.locationName);
    const story = page.locator('section.result', { hasText: EDITED });
    assert.equal(await story.count(), 1, 'the published story is there to answer');
    assert.ok(!(await main(page)).includes(NAME), 'the provider never sees the original');
    journey.storyId = (await story.getAttribute('id')).replace('story-', '');
    await assertAccessible(page, "the provider's stories and replies");

    const refused = await submit(page, 'Send your reply', story);
    assert.equal(refused.status(), 400);
    assert.match(await page.locator('.error-summary').textContent(), /Write your reply/);
    await assertAccessible(page, 'a reply refused for want of text');

    const id = journey.storyId;
    await page.fill(`#story-${id}-text`, REPLY);
    await page.check(`#story-${id}-change-made`);
    await page.fill(`#story-${id}-what`, CHANGE);
    const sent = await submit(page, 'Send your reply', page.locator(`#story-${id}`));
    assert.equal(sent.status(), 303);
    const text = await main(page);
    assert.match(text, /A moderator checks it before it shows/);
    assert.match(text, /Waiting for a moderator's check/);
    assert.ok(text.includes(`Change made: ${CHANGE}`));
    await assertAccessible(page, 'a reply waiting for its check');
  });

  it('the moderator checks the reply and publishes it', async () => {
    const page = moderator;
    await page.goto(url('/moderation/replies'));
    assert.equal(await heading(page), 'Replies to check');
    await assertAccessible(page, 'the replies to check');
    const reply = page.locator('section.result', { hasText: REPLY });
    assert.equal(await reply.count(), 1);
    assert.match(await reply.textContent(), new RegExp(`Change made: ${CHANGE}`));
    await reply.locator('input[type=radio][value=publish]').check();
    const saved = await submit(page, `Save the decision on the reply to ${journey.reference}`);
    assert.equal(saved.status(), 303);
    assert.match(await main(page), /Saved\. The reply's author sees your decision\./);
    assert.equal(await page.locator('section.result', { hasText: REPLY }).count(), 0, 'checked replies leave the list');
  });

  it('a visitor sees the story only with the next batch of figures', async () => {
    const page = await newPage(browser, { phone: true });
    await page.goto(url(`/locations/${journey.locationId}`));
    const text = await main(page);
    // Reading the page before and after one response must not tell what that person said.
    assert.ok(!text.includes(EDITED), 'the story waits for the next batch');
    assert.ok(!text.includes(NAME), 'the name edited out never shows');
    assert.match(text, /These figures were last updated on/);
    await assertAccessible(page, 'the public page with what people say');
    await page.context().close();
  });

  it('the other private pages of people’s voice pass axe', async () => {
    await provider.goto(url('/manage/alerts'));
    assert.equal(await heading(provider), 'Safeguarding alerts');
    await assertAccessible(provider, 'the safeguarding alerts (provider)');
    await provider.goto(url(`/manage/locations/${journey.locationId}/feedback/new`));
    assert.equal(await heading(provider), 'Type in feedback');
    await assertAccessible(provider, 'typing in a paper form');
    const refused = await submit(provider, 'Save this feedback');
    assert.equal(refused.status(), 400);
    await assertAccessible(provider, 'a paper form with problems');
    await provider.goto(url('/manage'));
    await Promise.all([
      provider.waitForURL(/\/manage\/providers\/1-\d+$/),
      provider.locator('a[href^="/manage/providers/"]').first().click(),
    ]);
    assert.equal(await provider.locator('#safeguarding').textContent(), 'Safeguarding lead');
    await assertAccessible(provider, 'the provider page with its safeguarding lead');

    await moderator.goto(url('/manage/alerts'));
    await assertAccessible(moderator, 'the safeguarding alerts (moderator)');
    // The demo's feedback has raised alerts; moderators see every one.
    const first = moderator.locator('.result__title a').first();
    assert.equal(await first.count(), 1, 'the demo has a safeguarding alert to open');
    await Promise.all([moderator.waitForURL(/\/manage\/alerts\/\d+$/), first.click()]);
    assert.match(await heading(moderator), /^Alert /);
    await assertAccessible(moderator, 'one safeguarding alert');
  });
});
