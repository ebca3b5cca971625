// The assessment workflow in a real browser, as the people who do it: an
// inspector opens an assessment of one of the demo provider's services, scores
// every key question, records a judgement and sends the draft, which locks its
// scores; the provider's administrator challenges a finding; the inspector
// accepts the challenge, which reopens that finding alone, and corrects the
// score; the provider says it has no more challenges and the inspector publishes;
// a visitor reads the rating, now the headline, and how it was worked out on the
// public page. Every page is audited with axe.
//
// Each person keeps one browser context (one sign-in) for the whole journey:
// sign-in is rate limited per address. The steps run in order and share state.
// A service's rating is published at most once a day, so the journey runs once
// per database (run.sh starts the server on a fresh one).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, assertKeyboardFocusVisible, demo, launch, newPage, signIn, url } from './browser.mjs';

let browser;
let inspector;
let provider;

/** Filled in as the journey goes. */
const journey = { locationId: '', locationName: '', serviceGroup: '', assessmentPath: '' };

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const heading = async (page) => (await page.locator('h1').textContent()).trim();

/** The text of the draft trace's row for a key question, cells joined by " | ". */
async function traceRow(page, keyQuestion) {
  const row = page.locator('#computation ~ .table-scroll tbody tr', { has: page.locator('th', { hasText: keyQuestion }) });
  const cells = await row.locator('th, td').allTextContents();
  return cells.map((c) => c.trim()).join(' | ');
}

/**
 * Submits the form that `button` (its visible text) belongs to, waits for the page
 * it leads to (a new document: the old one is marked first), and checks its address.
 */
async function submit(page, button, { expect = /\/manage\/assessments\/\d+/ } = {}) {
  await page.evaluate(() => {
    window.beforeSubmit = true;
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForFunction(() => !window.beforeSubmit);
  await page.waitForLoadState('domcontentloaded');
  if (!expect.test(page.url())) {
    const errors = await page.locator('.error-summary').allTextContents();
    assert.fail(`"${button}" led to ${page.url()} (${response.status()}), not ${expect}: ${errors.join(' ').replace(/\s+/g, ' ')}`);
  }
  return response;
}

/**
 * Chooses scores in one key question's form and saves it. `scores` maps a field
 * ID (`S1-score`, `E1-processes`) to a score; `notes` maps a notes field ID to text.
 */
async function scoreKeyQuestion(page, name, scores, notes = {}) {
  for (const [field, score] of Object.entries(scores)) {
    await page.selectOption(`#${field}`, String(score));
  }
  for (const [field, text] of Object.entries(notes)) {
    await page.fill(`#${field}`, text);
  }
  const response = await submit(page, `Save ${name}`);
  assert.equal(response.status(), 303, `saving ${name} should redirect back to the assessment`);
}

describe('an assessment from draft to publication', () => {
  it('the provider administrator finds one of their services', async () => {
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
    assert.equal(await heading(provider), journey.locationName);
    assert.equal(await provider.locator('#service_group').count(), 0, 'only inspectors open assessments');
  });

  it('an inspector opens an assessment from the service workspace', async () => {
    inspector = await newPage(browser);
    await signIn(inspector, demo('inspector'));
    const response = await inspector.goto(url(`/manage/locations/${journey.locationId}`));
    assert.equal(response.status(), 200);
    assert.equal(await heading(inspector), journey.locationName);
    await assertAccessible(inspector, 'the service workspace (inspector)');
    await assertKeyboardFocusVisible(inspector, 'service_group');

    const services = await inspector.locator('#service_group option').allTextContents();
    assert.ok(services.length > 0, 'the location has a service type to assess');
    journey.serviceGroup = services[0].trim();
    await inspector.selectOption('#service_group', { label: journey.serviceGroup });
    await submit(inspector, 'Open an assessment', { expect: /\/manage\/assessments\/\d+#scores$/ });
    journey.assessmentPath = new URL(inspector.url()).pathname;

    assert.equal(await heading(inspector), journey.locationName);
    assert.equal((await inspector.locator('.caption').first().textContent()).trim(), `Assessment of ${journey.serviceGroup}`);
    assert.match(await inspector.locator('#workflow').textContent(), /Draft.*Only inspectors can see this draft/);
    assert.match(await inspector.locator('main').textContent(), /No overall rating yet/);
    await assertAccessible(inspector, 'a new draft assessment');
    // The page opens at the scores: the first Tab reaches the first field.
    await assertKeyboardFocusVisible(inspector, 'safe-standing');

    const hidden = await provider.goto(url(journey.assessmentPath));
    assert.equal(hidden.status(), 404, 'the provider cannot see a draft');
  });

  it('the inspector records facts, scores every key question and sees the computation', async () => {
    const page = inspector;
    await page.check('#fact-registered_manager');
    await page.check('#fact-notifications_ok');
    await submit(page, 'Save the facts');
    assert.ok(await page.locator('#fact-registered_manager').isChecked(), 'the facts are kept');

    // Safe: three statements scored directly, one with an evidence note: 4 + 4 + 2 = 10 of 12.
    await scoreKeyQuestion(page, 'Safe', { 'S1-score': 4, 'S2-score': 4, 'S3-score': 2 }, { 'S3-note-processes': 'Two fire safety audits were late' });
    assert.equal(await page.inputValue('#S3-note-processes'), 'Two fire safety audits were late');
    const safe = await traceRow(page, 'Safe');
    assert.match(safe, /Learning culture 4; Safe systems, pathways and transitions 4; Safeguarding 2/);
    assert.match(safe, /10 of 12 \| 83\.33% \| 83% \| Good/);

    // Effective: scored by evidence category (3 and 3 give the statement 3), with notes.
    await scoreKeyQuestion(
      page,
      'Effective',
      { 'E1-people_experience': 3, 'E1-processes': 3, 'E2-score': 3 },
      { 'E1-note-people_experience': 'Residents said their care plans reflect them', 'E1-note-processes': 'Care plans reviewed monthly' },
    );
    assert.match(await traceRow(page, 'Effective'), /Assessing needs 3; Delivering evidence-based care and treatment 3 \| 6 of 8 \| 75\.00% \| 75% \| Good/);
    assert.equal(await page.inputValue('#E1-note-processes'), 'Care plans reviewed monthly');

    await scoreKeyQuestion(page, 'Caring', { 'C1-score': 3, 'C2-score': 4 });
    assert.match(await traceRow(page, 'Caring'), /Kindness, compassion and dignity 3; Treating people as individuals 4 \| 7 of 8 \| 87\.50% \| 88% \| Outstanding/);
    await scoreKeyQuestion(page, 'Responsive', { 'R1-score': 3, 'R2-score': 3 });
    assert.match(await traceRow(page, 'Responsive'), /Person-centred care 3; Care provision, integration and continuity 3 \| 6 of 8 \| 75\.00% \| 75% \| Good/);
    await scoreKeyQuestion(page, 'Well-led', { 'W1-score': 3, 'W2-score': 3, 'W3-score': 2 });
    assert.match(await traceRow(page, 'Well-led'), /Shared direction and culture 3; Capable, compassionate and inclusive leaders 3; Freedom to speak up 2 \| 8 of 12 \| 66\.67% \| 67% \| Good/);

    const overall = page.locator('#trace-overall + p .rating');
    assert.equal((await overall.textContent()).trim(), 'Good');
    assert.doesNotMatch(await page.locator('main').textContent(), /No overall rating yet/);

    const how = page.locator('details', { hasText: 'How Effective was worked out' });
    await how.locator('summary').click();
    assert.match(await how.textContent(), /Assessing needs: 3 \(/, 'the category working is shown');
    const rules = await page.locator('#trace-rules + ul').textContent();
    assert.match(rules, /Otherwise Good\. No key question is rated Inadequate/, 'each rule in words');
    assert.doesNotMatch(await page.locator('main').textContent(), /otherwise_good|S1 = 4/, 'no codes');
    await assertAccessible(page, 'a scored draft with its working open');
  });

  it('the inspector needs a reason to depart from a computed rating', async () => {
    const page = inspector;
    await page.selectOption('#safe-rating', 'requires_improvement');
    const refused = await submit(page, 'Save the Safe judgement');
    assert.equal(refused.status(), 400);
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.error-summary').textContent(), /Give the reason the rating departs from the computed one/);
    await assertAccessible(page, 'a judgement refused for want of a reason');
    await page.click('.error-summary a[href="#safe-reason"]');
    assert.match(page.url(), /#safe-reason$/);

    await page.selectOption('#safe-rating', 'requires_improvement');
    await page.fill('#safe-reason', 'Night staffing fell short on both visits');
    await submit(page, 'Save the Safe judgement');
    const main = await page.locator('main').textContent();
    assert.match(main, /Requires improvement in place of the computed Good/);
    assert.match(main, /Night staffing fell short on both visits/);
    assert.match(await traceRow(page, 'Safe'), /83% \| Good .*\| Good \| Requires improvement/, 'the computed rating is kept beside the judgement');
  });

  it('the inspector sends the draft to the provider', async () => {
    const page = inspector;
    assert.equal(await page.inputValue('#window_days'), '14', 'the default challenge window');
    const response = await submit(page, 'Send to the provider', { expect: /#workflow$/ });
    assert.equal(response.status(), 303);
    assert.match(await page.locator('#workflow').textContent(), /Sent to the provider.*may challenge findings until the end of.*Scores are locked/);
    assert.equal(await page.getByRole('button', { name: 'Send to the provider' }).count(), 0);
    for (const name of ['Save Safe', 'Save the facts', 'Save the Safe judgement']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, `a sent draft has no "${name}"`);
    }
    assert.ok(await page.getByRole('button', { name: 'Publish the rating' }).isVisible());
    await assertAccessible(page, 'an assessment sent to the provider (inspector)');
  });

  it('the provider administrator challenges a finding within the window', async () => {
    const page = provider;
    await page.goto(url(`/manage/locations/${journey.locationId}`));
    const waiting = page.locator('main .notice', { hasText: 'A draft report is waiting for your review until' });
    assert.equal(await waiting.locator(`a[href="${journey.assessmentPath}"]`).count(), 1, 'the workspace says a draft is waiting');
    const link = page.locator(`main .link-list a[href="${journey.assessmentPath}"]`);
    await Promise.all([page.waitForURL(/\/manage\/assessments\/\d+$/), link.click()]);
    assert.equal(new URL(page.url()).pathname, journey.assessmentPath);
    assert.match(await page.locator('#workflow').textContent(), /Sent to the provider/);
    assert.match(await traceRow(page, 'Safe'), /Safeguarding 2/, 'the provider reads the draft computation');
    for (const name of ['Save Safe', 'Publish the rating', 'Send to the provider']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, `the provider has no "${name}"`);
    }
    await assertAccessible(page, 'an assessment sent to the provider (provider administrator)');
    await assertKeyboardFocusVisible(page, 'finding');

    await submit(page, 'Raise the challenge');
    assert.match(await page.locator('.error-summary').textContent(), /Say what is factually inaccurate, and why/);
    await assertAccessible(page, 'a challenge refused for want of a reason');

    await page.selectOption('#finding', 'S3');
    await page.fill('#text', 'Both fire safety audits were done in May; the log was filed late.');
    await submit(page, 'Raise the challenge', { expect: /#challenges$/ });
    const challenge = page.locator('#challenges ~ .result', { hasText: 'Challenge to S3' });
    assert.match(await challenge.textContent(), /Challenge to S3: Open.*Both fire safety audits were done in May/s);
    assert.equal(await challenge.locator('form').count(), 0, 'the provider cannot decide its own challenge');
  });

  it('the inspector cannot publish with the challenge open, then accepts it and corrects the finding', async () => {
    const page = inspector;
    await page.goto(url(journey.assessmentPath));
    const publishRefused = await submit(page, 'Publish the rating');
    assert.equal(publishRefused.status(), 409);
    assert.match(await page.locator('.error-summary').textContent(), /still open/);
    await assertAccessible(page, 'publication refused with a challenge open');

    const challenge = page.locator('#challenges ~ .result', { hasText: 'Challenge to S3' });
    const id = (await challenge.locator('textarea').getAttribute('id')).match(/^challenge-(\d+)-reason$/)[1];
    await assertAccessible(page, 'a challenge awaiting the decision');
    await page.check(`#challenge-${id}-accept`);
    await page.fill(`#challenge-${id}-reason`, 'The audit log confirms May; S3 raised to 3');
    await submit(page, 'Record the decision', { expect: /#challenges$/ });
    const decided = await page.locator('#challenges ~ .result', { hasText: 'Challenge to S3' }).textContent();
    assert.match(decided, /Challenge to S3: Accepted/);
    assert.match(decided, /Inspector's reason: The audit log confirms May; S3 raised to 3/);

    // Accepting reopens just that statement: its score alone is offered.
    assert.equal(await page.locator('#S3-score').count(), 1);
    assert.equal(await page.locator('#S1-score').count(), 0, 'the other statements stay locked');
    assert.equal(await page.getByRole('button', { name: 'Save Well-led' }).count(), 0);
    await assertAccessible(page, 'a finding reopened by an accepted challenge');
    await scoreKeyQuestion(page, 'Safe', { 'S3-score': 3 });
    assert.match(
      await traceRow(page, 'Safe'),
      /Safeguarding 3 \| 11 of 12 \| 91\.67% \| 92% \| Outstanding \| None \| Outstanding \| Requires improvement/,
      'the judgement stands beside the rating computed now',
    );
    assert.match(await page.locator('#corrections + ul').textContent(), /S3 changed from score 2 to score 3, after challenge \d+ was accepted: by /);

    const early = await submit(page, 'Publish the rating');
    assert.equal(early.status(), 409, 'the window is open and the provider has not finished');
    assert.match(await page.locator('.error-summary').textContent(), /may raise challenges until the end of/);
  });

  it('the provider administrator says it has no more challenges', async () => {
    const page = provider;
    await page.goto(url(journey.assessmentPath));
    assert.match(await page.locator('#corrections + ul').textContent(), /S3 changed from score 2 to score 3/);
    await submit(page, 'We have no more challenges', { expect: /#workflow$/ });
    assert.match(await page.locator('#no-more-challenges').textContent(), /said the provider has no more challenges/);
    assert.equal(await page.getByRole('button', { name: 'Raise the challenge' }).count(), 0);
    await assertAccessible(page, 'an assessment after the provider has no more challenges');
  });

  it('the inspector publishes', async () => {
    const page = inspector;
    await page.goto(url(journey.assessmentPath));
    await submit(page, 'Publish the rating', { expect: /#workflow$/ });
    assert.match(await page.locator('#workflow').textContent(), /Published.*can no longer change/);
    for (const name of ['Save Safe', 'Publish the rating', 'Save the facts']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, `a published assessment has no "${name}"`);
    }
    await assertAccessible(page, 'a published assessment');
    await Promise.all([
      page.waitForURL(new RegExp(`/locations/${journey.locationId}$`)),
      page.getByRole('link', { name: 'See it on the public page' }).click(),
    ]);
  });

  it('a visitor reads the rating, its source and how it was worked out', async () => {
    const page = await newPage(browser);
    const response = await page.goto(url(`/locations/${journey.locationId}`));
    assert.equal(response.status(), 200);
    assert.equal(await heading(page), journey.locationName);
    const headline = (await page.locator('.headline-rating').textContent()).replace(/\s+/g, ' ');
    assert.match(headline, /Overall rating Good Published .* by Candour/, 'the newest rating is the headline');

    const current = page.locator('table', { has: page.locator('caption', { hasText: 'Latest rating' }) });
    const columns = (await current.locator('thead th').allTextContents()).map((t) => t.trim());
    const candour = columns.findIndex((t) => t.startsWith(journey.serviceGroup) && t.includes('assessed in Candour'));
    assert.ok(candour >= 0, `a column for ${journey.serviceGroup} assessed in Candour (columns: ${columns.join('; ')})`);
    const candourColumn = current.locator('thead th').nth(candour);
    assert.match(await candourColumn.textContent(), /Published .*, assessed in Candour/);
    const rows = [
      ['Overall', 'Good'],
      ['Safe', 'Requires improvement 92%'],
      ['Effective', 'Good 75%'],
      ['Caring', 'Outstanding 88%'],
      ['Responsive', 'Good 75%'],
      ['Well-led', 'Good 67%'],
    ];
    for (const [question, shown] of rows) {
      const row = current.locator('tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${question}$`) }) });
      const cell = (await row.locator('td').nth(candour).textContent()).replace(/\s+/g, ' ').trim();
      assert.equal(cell, shown, `${question} in the Candour column`);
    }
    const history = await page.locator('table', { has: page.locator('caption', { hasText: 'newest first' }) }).textContent();
    assert.match(history, /by Candour/);

    const explanation = page.locator('details#how-worked-out');
    const summary = explanation.locator('> summary');
    assert.equal((await summary.textContent()).trim(), `How this was worked out: ${journey.serviceGroup}`);
    assert.equal(await explanation.locator('table').isVisible(), false, 'closed until asked for');
    await assertAccessible(page, 'the public location page with a Candour rating');
    await summary.click();
    const working = await explanation.textContent();
    assert.match(working, /Learning culture 4; Safe systems, pathways and transitions 4; Safeguarding 3/);
    assert.match(working, /91\.67%/);
    assert.match(working, /Requires improvement, because: Night staffing fell short on both visits/);
    assert.match(working, /Rule: Otherwise Good/);
    assert.match(working, /The rules used/);
    await assertAccessible(page, 'the public location page with the working open');

    const phone = await newPage(browser, { phone: true });
    await phone.goto(url(`/locations/${journey.locationId}`));
    await phone.locator('details#how-worked-out > summary').click();
    await assertAccessible(phone, 'the public location page with the working open at 390px');
  });
});
