// The privacy notice and the accessibility statement, reached from every page's
// footer, on a computer and a phone. Audited with axe.

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
