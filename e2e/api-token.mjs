// Prints a new API token for a demo account, made as a person would make one: signed
// in through the browser, from the account page. Used by the API contract tests.
//   CANDOUR_URL=http://127.0.0.1:8080 node api-token.mjs inspector

import { demo, launch, newPage, signIn, url } from './tests/browser.mjs';

const who = process.argv[2] || 'inspector';
const browser = await launch();
try {
  const page = await newPage(browser);
  await signIn(page, demo(who));
  await page.goto(url('/account'));
  await page.fill('#name', 'API contract tests');
  await page.click('form[action="/account/tokens"] button[type=submit]');
  console.log((await page.locator('#token').textContent()).trim());
} finally {
  await browser.close();
}
