// How one service compares with similar services, in a real browser, as an
// inspector uses it: open the service most in need of a look from the watchlist,
// read every indicator against its peers, narrow the peer group to the service's
// region, draw another indicator's funnel plot, and come back to it from the
// service's workspace; then the same page at a phone's width. Every chart is an
// image named by its title, and axe audits each page.
//
// The inspector keeps one browser context (one sign-in): sign-in is rate limited
// per address. The steps run in order and share state.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, newPage, signIn, url } from './browser.mjs';

let browser;
let inspector;

/** Filled in as the journey goes. */
const journey = { path: '', name: '', england: '' };

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const heading = async (page) => (await page.locator('h1').first().textContent()).trim();

/** "Homecare, beds not known, in England: 41 services, this one included." */
const groupLine = async (page) => (await page.locator('main p[role=status]').textContent()).replace(/\s+/g, ' ').trim();

/** Every chart is an image with a title that names it and a description, both non-empty. */
async function assertChartsNamed(page, { atLeast }) {
  const charts = await page.locator('main svg[role=img]').evaluateAll((svgs) =>
    svgs.map((svg) => {
      const [titleId, descId] = (svg.getAttribute('aria-labelledby') || '').split(' ');
      const text = (id) => (id && document.getElementById(id)?.textContent.trim()) || '';
      return { title: svg.querySelector('title')?.textContent.trim() || '', named: text(titleId), described: text(descId) };
    }),
  );
  assert.ok(charts.length >= atLeast, `at least ${atLeast} charts, found ${charts.length}`);
  for (const chart of charts) {
    assert.ok(chart.title.length > 0 && chart.title === chart.named, `a chart named by its title: ${JSON.stringify(chart)}`);
    assert.ok(chart.described.length > 0, `a chart described in words: ${chart.title}`);
  }
  return charts;
}

/** The statuses of the summary table, one per indicator. */
async function statuses(page) {
  return page.locator('#summary-caption').locator('xpath=..').locator('tbody tr td:last-child').allTextContents();
}

describe('how a service compares', () => {
  it('the inspector opens a service from the watchlist', async () => {
    inspector = await newPage(browser);
    await signIn(inspector, demo('inspector'));
    await inspector.goto(url('/monitoring/watchlist'));
    const first = inspector.locator('main a[href^="/monitoring/locations/"]').first();
    journey.path = new URL(await first.getAttribute('href'), url('/')).pathname;
    await Promise.all([inspector.waitForURL((u) => u.pathname === journey.path), first.click()]);
    journey.name = await heading(inspector);
    assert.ok(journey.name.length > 0);
    journey.england = await groupLine(inspector);
    assert.match(journey.england, /^Compared with .+, in England: [\d,]+ services?, this one included\.$/);
    const shown = (await statuses(inspector)).map((s) => s.trim());
    assert.ok(shown.length >= 13, `a status for every indicator: ${shown}`);
    for (const status of shown) {
      assert.ok(['Elevated risk', 'Risk', 'No evidence of risk', 'Not enough data'].includes(status), status);
    }
    // One funnel (the most serious indicator's) and a trend for every indicator.
    const charts = await assertChartsNamed(inspector, { atLeast: shown.length + 1 });
    assert.equal(charts.filter((c) => c.title.endsWith('this service among similar services')).length, 1);
    assert.equal(charts.filter((c) => c.title.endsWith('over time')).length, shown.length);
    await assertAccessible(inspector, 'the benchmark page');
  });

  it('narrows the peer group to the service region', async () => {
    const region = inspector.locator('#scope-region');
    const label = (await inspector.locator('label[for=scope-region]').textContent()).replace('The region:', '').trim();
    await region.check();
    await Promise.all([
      inspector.waitForURL(/[?&]scope=region/),
      inspector.getByRole('button', { name: 'Compare', exact: true }).click(),
    ]);
    const line = await groupLine(inspector);
    assert.ok(line.includes(`, in ${label}:`), `${line} names ${label}`);
    assert.notEqual(line, journey.england);
    assert.equal(await inspector.locator('#scope-region').isChecked(), true);
    await assertChartsNamed(inspector, { atLeast: 14 });
    await assertAccessible(inspector, 'the benchmark page, compared within the region');
  });

  it("draws another indicator's funnel plot", async () => {
    const link = inspector.locator('#incidents ~ p a', { hasText: 'Show the funnel plot' });
    const section = inspector.locator('section', { has: inspector.locator('h2#incidents') });
    if ((await section.locator('svg[aria-labelledby^="funnel-incidents"]').count()) === 0) {
      await Promise.all([inspector.waitForURL(/indicator=incidents/), link.click()]);
    }
    assert.match(inspector.url(), /scope=region/, 'the scope is kept');
    const funnel = section.locator('svg[role=img][aria-labelledby^="funnel-incidents"]');
    assert.equal(await funnel.count(), 1);
    assert.match(await funnel.locator('title').textContent(), /^Incidents recorded: this service among similar services$/);
    assert.ok((await section.locator('table').count()) >= 2, 'the funnel and the trend have their numbers as tables');
    await assertAccessible(inspector, 'the benchmark page with the incidents funnel');
  });

  it("is linked from the service's workspace, and its method can be opened", async () => {
    const id = journey.path.split('/').pop();
    await inspector.goto(url(`/manage/locations/${id}`));
    await Promise.all([
      inspector.waitForURL((u) => u.pathname === journey.path),
      inspector.getByRole('link', { name: 'How this service compares' }).click(),
    ]);
    assert.equal(await heading(inspector), journey.name);
    await inspector.locator('details.details > summary', { hasText: 'How this is worked out' }).click();
    const method = inspector.locator('details.details[open]');
    await method.locator('#audit-caption').waitFor();
    assert.match(await method.textContent(), /Minimum n/);
    await assertAccessible(inspector, 'the benchmark page with its method open');
  });

  it('reads on a phone', async () => {
    const phone = await newPage(browser, { phone: true });
    await signIn(phone, demo('inspector'));
    await phone.goto(url(journey.path));
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page does not scroll sideways on a phone (by ${overflow}px); wide parts scroll on their own`);
    await assertChartsNamed(phone, { atLeast: 14 });
    // A funnel wider than the phone starts scrolled to the service's own diamond.
    const hidden = await phone.locator('main .chart-scroll').evaluateAll((regions) =>
      regions.flatMap((region) => {
        const own = [...region.querySelectorAll('.chart__service')].find((mark) => !mark.closest('.chart__legend'));
        if (!own) return [];
        const mark = own.getBoundingClientRect();
        const frame = region.getBoundingClientRect();
        return mark.left >= frame.left && mark.right <= frame.right ? [] : [region.getAttribute('aria-labelledby')];
      }),
    );
    assert.deepEqual(hidden, [], "each funnel shows the service's own marker without scrolling");
    await assertAccessible(phone, 'the benchmark page on a phone');
    await phone.context().close();
  });
});
