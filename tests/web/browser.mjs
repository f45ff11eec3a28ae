// What the browser tests share: Debian's chromium started headless with
// playwright-core (no browser download), and the ok / FAIL lines.
import { chromium } from 'playwright-core';

let failures = 0;

export function check(cond, what) {
  console.log(`${cond ? 'ok' : 'FAIL'}: ${what}`);
  if (!cond) failures++;
}

// How many checks failed so far.
export function failed() { return failures; }

// A fresh persistent context in `profile` (a user-data-dir) of this window size.
export function launch(profile, viewport) {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: viewport,
  });
}
