// What a public site publishes beside its pages: the privacy notice and the
// accessibility statement, open data, the local care market and reports as PDF,
// on a computer and a phone. Audited with axe; the PDFs are read back with pdftotext.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertAccessible, launch, newPage, url } from './browser.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

describe('what every public website has', () => {
  it('links the privacy notice and the accessibility statement from the footer', async () => {
    for (const phone of [false, true]) {
      const page = await newPage(browser, { phone });
      await page.goto(url('/locations'));
      for (const [link, heading] of [['Privacy', 'Privacy notice'], ['Accessibility', 'Accessibility statement']]) {
        await Promise.all([page.waitForEvent('load'), page.locator('.site-footer a', { hasText: link }).click()]);
        assert.equal((await page.locator('h1').textContent()).trim(), heading);
        await assertAccessible(page, `the ${heading.toLowerCase()}${phone ? ' at 390px' : ''}`);
      }
    }
  });
});

describe('the API for developers', () => {
  it('reads the API description to people, linked from the footer, and its example call answers', async () => {
    for (const phone of [false, true]) {
      const page = await newPage(browser, { phone });
      await page.goto(url('/'));
      await Promise.all([page.waitForURL(/\/developers$/), page.locator('.site-footer a', { hasText: 'API for developers' }).click()]);
      assert.equal((await page.locator('h1').textContent()).trim(), 'The Candour API');
      await assertAccessible(page, `the developers page${phone ? ' at 390px' : ''}`);
      // From an operation to the type it answers with.
      await page.locator('a[href="#get-api-v1-locations-id"]').click();
      await page.locator('#get-api-v1-locations-id ~ table a[href="#schema-locationwithpeople"]').first().click();
      assert.match(page.url(), /#schema-locationwithpeople$/);
      assert.ok(await page.locator('#schema-locationwithpeople').isVisible());
    }
    const page = await newPage(browser);
    const described = await (await page.request.get(url('/api/v1/openapi.json'))).json();
    assert.equal(described.openapi, '3.1.0');
    const listed = await (await page.request.get(url('/api/v1/locations?per_page=1'))).json();
    assert.equal(listed.items.length, 1);
  });
});

describe('open data', () => {
  it('lists each file with what its columns mean, on a computer and a phone', async () => {
    for (const phone of [false, true]) {
      const page = await newPage(browser, { phone });
      await page.goto(url('/'));
      await Promise.all([page.waitForURL(/\/open-data$/), page.locator('header a', { hasText: 'Open data' }).first().click()]);
      assert.ok((await page.locator('a[href="/open-data/register.ods"]').count()) === 1);
      assert.ok((await page.locator('table caption', { hasText: 'What each column means' }).count()) >= 3);
      await assertAccessible(page, `the open data page${phone ? ' at 390px' : ''}`);
    }
    const response = await fetch(url('/open-data/register.csv'));
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^Care directory with filters/);
  });
});

describe('the local care market', () => {
  it("shows an area's services, beds and people's verdicts against its region and England", async () => {
    const any = (await (await fetch(url('/api/v1/locations?per_page=1'))).json()).items[0];
    for (const phone of [false, true]) {
      const page = await newPage(browser, { phone });
      await page.goto(url(`/areas/${encodeURIComponent(any.local_authority)}`));
      assert.equal((await page.locator('h1').textContent()).trim(), any.local_authority);
      assert.ok((await page.locator('#by-type-caption').count()) === 1);
      assert.match(await page.locator('main').textContent(), /England/);
      await assertAccessible(page, `a local care market${phone ? ' at 390px' : ''}`);
      // From the area to its region, and from there to England.
      await Promise.all([page.waitForLoadState('load'), page.locator('#comparison ~ table tbody tr').nth(1).locator('a').click()]);
      assert.equal((await page.locator('.caption').first().textContent()).trim(), 'The care market in a region');
      await assertAccessible(page, `a region's care market${phone ? ' at 390px' : ''}`);
      await Promise.all([page.waitForURL(/\/areas\/England$/), page.locator('#comparison ~ table a', { hasText: /^England$/ }).click()]);
      assert.equal((await page.locator('h1').textContent()).trim(), 'England');
      await assertAccessible(page, `England's care market${phone ? ' at 390px' : ''}`);
    }
  });
});

describe('reports as PDF', () => {
  it('reads back as text with the same figures as the page', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const any = (await (await fetch(url('/api/v1/locations?per_page=1'))).json()).items[0];
    const area = encodeURIComponent(any.local_authority);
    const response = await fetch(url(`/areas/${area}/report.pdf`));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    const file = join(mkdtempSync(join(tmpdir(), 'candour-pdf-')), 'report.pdf');
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    for (const words of [`${any.local_authority}: the care market`, 'Services by type and current rating', 'Ratings over the last five years', 'England', 'page 1 of']) {
      assert.ok(text.includes(words), `the PDF says "${words}"`);
    }
    // A service's report reads back with its name and ratings.
    const service = await fetch(url(`/locations/${any.id}/report.pdf`));
    assert.equal(service.status, 200);
    const serviceFile = join(mkdtempSync(join(tmpdir(), 'candour-pdf-')), 'service.pdf');
    writeFileSync(serviceFile, Buffer.from(await service.arrayBuffer()));
    const serviceText = execFileSync('pdftotext', [serviceFile, '-']).toString();
    for (const words of [any.name, 'About this service', 'Current ratings']) {
      assert.ok(serviceText.includes(words), `the service's PDF says "${words}"`);
    }
    // The page links it, and says the same number of services.
    const page = await newPage(browser);
    await page.goto(url(`/areas/${area}`));
    assert.equal(await page.locator(`a[href="/areas/${area}/report.pdf"]`).count(), 1);
    const lead = (await page.locator('p.lead').textContent()).trim();
    assert.ok(text.replace(/\s+/g, ' ').includes(lead.split(',')[0]), `the PDF repeats "${lead.split(',')[0]}"`);

    // Tagged: a screen reader finds its headings and its tables, with header cells.
    assert.match(execFileSync('pdfinfo', [file]).toString(), /Tagged:\s+yes/);
    const structure = execFileSync('pdfinfo', ['-struct-text', file]).toString();
    for (const part of ['H1', 'H2', 'Table', 'TH', 'TD', 'Figure', '"Services by type and current rating"']) {
      assert.ok(structure.includes(part), `the PDF's structure has ${part}`);
    }

    // Each page of the report, rendered as a person would see it: ink on every page,
    // across the page and down it (not one blank page, not text crammed in a corner).
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())[1]);
    assert.ok(pages >= 1);
    for (let n = 1; n <= pages; n += 1) {
      const gray = execFileSync('pdftoppm', ['-gray', '-r', '30', '-f', `${n}`, '-l', `${n}`, file]);
      const [width, height] = /P5\s+(\d+)\s+(\d+)\s+255\s/.exec(gray.toString('latin1')).slice(1).map(Number);
      const pixels = gray.subarray(gray.length - width * height);
      const inked = (x0, x1, y0, y1) => {
        for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) if (pixels[y * width + x] < 128) return true;
        return false;
      };
      assert.ok(inked(0, width, 0, height >> 3), `page ${n} has its heading or text at the top`);
      assert.ok(inked(0, width, height - (height >> 3), height), `page ${n} has its footer`);
      assert.ok(n === pages || inked(width >> 1, width, 0, height), `page ${n} uses the width of the page`);
    }
  });

  it('prints the market page without the site around it', async () => {
    const any = (await (await fetch(url('/api/v1/locations?per_page=1'))).json()).items[0];
    const page = await newPage(browser);
    await page.goto(url(`/areas/${encodeURIComponent(any.local_authority)}`));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-header').isVisible(), false);
    assert.equal(await page.locator('.site-footer').isVisible(), false);
    assert.ok(await page.locator('#by-type-caption').isVisible());
    assert.ok(await page.locator('#comparison').isVisible());
  });
});
