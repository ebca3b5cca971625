// The watchlist in a real browser, as an inspector uses it: open it from the
// private home, filter by a band and a region, sort by score, follow a service to
// its indicators, and download the list as CSV; then a provider's own warning
// signs. Axe audits every page on the way, the refused filter included.
//
// Each person keeps one browser context (one sign-in): sign-in is rate limited
// per address. The steps run in order and share state.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, demo, launch, newPage, signIn, url } from './browser.mjs';

const CSV_HEADER =
  'band,score,location_id,name,provider_id,provider,local_authority,region,service_type,beds,peer_group,risk,' +
  'elevated,indicators_with_data,last_inspection,rating,reasons';

let browser;
let inspector;

/** Filled in as the journey goes. */
const journey = { band: 0, region: '', filtered: '' };

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const heading = async (page) => (await page.locator('h1').first().textContent()).trim();

/** The service count of each band, from the page's "Services in each band" list. */
async function bandCounts(page) {
  const items = await page.locator('.band-counts__item').allTextContents();
  return items.map((text) => {
    const [, band, count] = text.replace(/\s+/g, ' ').match(/Band (\d) (\d[\d,]*) service/);
    return { band: Number(band), count: Number(count.replaceAll(',', '')) };
  });
}

/** Presses the filter form's button and waits for the page it leads to. */
async function applyFilters(page) {
  await Promise.all([page.waitForURL(/\/monitoring\/watchlist\?/), page.getByRole('button', { name: 'Apply filters' }).click()]);
}

describe('the watchlist', () => {
  it('the inspector opens it from the private home', async () => {
    inspector = await newPage(browser);
    await signIn(inspector, demo('inspector'));
    await Promise.all([
      inspector.waitForURL(/\/monitoring\/watchlist$/),
      inspector.getByRole('link', { name: 'Watchlist', exact: true }).click(),
    ]);
    assert.match(await heading(inspector), /^Watchlist for \w+ \d{4}$/);
    assert.match(await inspector.locator('main').textContent(), /Worked out for \w+ \d{4} on /);
    const counts = await bandCounts(inspector);
    assert.equal(counts.length, 6);
    assert.ok(counts.reduce((sum, c) => sum + c.count, 0) > 50, 'the inspector sees all of England');
    assert.equal(await inspector.locator('table.watchlist tbody tr').count(), 50, 'fifty to a page');
    await inspector.locator('summary', { hasText: 'How the watchlist is worked out' }).click();
    assert.match(await inspector.locator('details.details').first().textContent(), /threshold h = /);
    await assertAccessible(inspector, 'the watchlist');
  });

  it('filters by a band and a region', async () => {
    const page = inspector;
    // The band with the most services, and the region of one of them, so that the filter finds something.
    const counts = await bandCounts(page);
    journey.band = counts.filter((c) => c.band < 6).sort((a, b) => b.count - a.count)[0].band;
    const listed = await page.request.get(url(`/monitoring/watchlist.csv?band=${journey.band}`));
    assert.equal(listed.status(), 200);
    const firstRow = (await listed.text()).split('\n')[1];
    journey.region = ['North East', 'North West', 'Yorkshire and The Humber', 'East Midlands', 'West Midlands', 'East of England', 'London', 'South East', 'South West']
      .find((name) => firstRow.toLowerCase().includes(`,${name.toLowerCase()},`));
    assert.ok(journey.region, `a region in ${firstRow}`);

    await page.check(`#${journey.band === 1 ? 'band' : `band-${journey.band}`}`);
    await page.selectOption('#region', { label: journey.region });
    await applyFilters(page);
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('band'), String(journey.band));
    assert.ok(query.get('region'));
    const badges = await page.locator('table.watchlist tbody .band').allTextContents();
    assert.ok(badges.length > 0, 'the filters find the service they were chosen from');
    assert.ok(badges.every((b) => b === `Band ${journey.band}`), `only band ${journey.band}: ${badges}`);
    assert.equal(await page.locator('#region option:checked').textContent(), journey.region);
    await assertAccessible(page, 'the watchlist filtered by band and region');
  });

  it('sorts by score, keeping the filters', async () => {
    const page = inspector;
    await Promise.all([page.waitForURL(/sort=score/), page.locator('thead a.sort-link', { hasText: 'Score' }).click()]);
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('band'), String(journey.band));
    assert.equal(query.get('sort'), 'score');
    assert.equal(await page.locator('th[aria-sort]').count(), 1);
    assert.equal(await page.locator('th[aria-sort="descending"]').textContent().then((t) => t.includes('Score')), true);
    const scores = (await page.locator('table.watchlist tbody .watchlist__score').allTextContents()).map((t) => parseFloat(t));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'highest score first');
    journey.filtered = page.url();
    await assertAccessible(page, 'the watchlist sorted by score');
  });

  it('follows a service to its indicators against similar services', async () => {
    const page = inspector;
    const link = page.locator('table.watchlist tbody th a').first();
    const name = (await link.textContent()).trim();
    await Promise.all([page.waitForURL(/\/monitoring\/locations\/1-\d+$/), link.click()]);
    assert.ok((await page.locator('main').textContent()).includes(name), `the page is about ${name}`);
    await assertAccessible(page, "a service's indicators");
    await page.goto(journey.filtered);
  });

  it('downloads the filtered list as CSV', async () => {
    const page = inspector;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download as CSV/ }).click()]);
    assert.match(download.suggestedFilename(), /^watchlist-\d{4}-\d{2}\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines[0], CSV_HEADER);
    assert.ok(lines.length > 1, 'the rows the page lists');
    assert.ok(lines.slice(1).every((line) => line.startsWith(`${journey.band},`)), 'every row in the band filtered');
  });

  it('a refused filter is explained beside its field', async () => {
    const page = inspector;
    const response = await page.goto(url('/monitoring/watchlist?band=9&region=atlantis'));
    assert.equal(response.status(), 400);
    assert.match(await page.title(), /^Error: /);
    const summary = await page.locator('.error-summary').textContent();
    assert.match(summary, /Band "9" is not valid/);
    assert.match(summary, /Region "atlantis" is not valid/);
    assert.match(await page.locator('#region-error').textContent(), /atlantis/);
    await assertAccessible(page, 'the watchlist with refused filters');
    await page.context().close();
  });

  it('a provider reads its own warning signs', async () => {
    const page = await newPage(browser);
    await signIn(page, demo('provider'));
    await Promise.all([
      page.waitForURL(/\/manage\/providers\/1-\d+$/),
      page.locator('main a[href^="/manage/providers/"]').first().click(),
    ]);
    const provider = await heading(page);
    await Promise.all([
      page.waitForURL(/\/warning-signs$/),
      page.getByRole('link', { name: 'Warning signs for each service' }).click(),
    ]);
    assert.equal(await heading(page), provider);
    assert.match(await page.locator('.lead').textContent(), /\d+ services? watched/);
    const services = page.locator('ol.warning-signs > li');
    assert.ok((await services.count()) > 0, 'the provider has services watched');
    assert.match(await services.first().locator('.band').textContent(), /^Band [1-6]$/);
    await assertAccessible(page, "a provider's warning signs");
    await page.context().close();
  });
});
