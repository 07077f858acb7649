// contactEnrollments in a real browser: the preview (preview/server.ts) opened in headless Chromium for every
// state, axe-core run in the page, what a user sees read back the way the browser renders it (innerText, the
// accessibility tree's names), and a screenshot per state in preview/screenshots/. jsdom cannot show layout:
// SLDS turning a divided list item into a flex box, which drops a space before bare text, is only seen here.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type Browser, type Page, chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { type Preview, type PreviewState, startPreview } from '../../preview/server.js';

jest.setTimeout(120_000);

const require = createRequire(import.meta.url);
const SCREENSHOTS = join(PROJECT_ROOT, 'preview', 'screenshots');
const CONTACT_ID = '0035g00000XyZaBAAV';

/** The installed Chromium (Debian's package, or one named by CHROMIUM_PATH); never a downloaded build. */
function chromiumPath(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
}

const executablePath = chromiumPath();
const describeInBrowser = executablePath ? describe : describe.skip;
if (!executablePath) {
  process.stderr.write(
    'Browser tests skipped: no Chromium found (set CHROMIUM_PATH, or `apt-get install chromium`; .ci/run installs it).\n'
  );
}

type AxeViolation = { id: string; impact: string; help: string; nodes: Array<{ target: string[] }> };

describeInBrowser('contactEnrollments in Chromium', () => {
  let preview: Preview;
  let browser: Browser;
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    preview = await startPreview(0);
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await preview?.stop();
  });

  async function open(state: PreviewState, ready: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 560, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
    });
    page.on('console', (message) => {
      // A failed load is reported above with its URL; anything else the page logs as an error is a problem.
      if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) {
        problems.push(`console error: ${message.text()}`);
      }
    });
    await page.goto(`${preview.url}?state=${state}`);
    // A module that failed to load or compile is named in the failure, not only as a missing element.
    await page.waitForSelector(ready, { state: 'attached', timeout: 15_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\n${problems.join('\n')}`);
    });
    expect(problems).toEqual([]);
    return page;
  }

  async function axe(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: axeSource });
    // A string, not a function: the test is compiled without the DOM's types, and this runs in the page.
    const violations = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as unknown;
    return (violations as AxeViolation[]).map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
    );
  }

  async function screenshot(page: Page, state: PreviewState): Promise<void> {
    await page.locator('c-contact-enrollments').screenshot({ path: join(SCREENSHOTS, `${state}.png`) });
  }

  it('data: counts, newest first, named progress bars, and a View all link that opens the related list', async () => {
    const page = await open('data', '.enrollment');
    expect(await axe(page)).toEqual([]);

    // innerText is what the browser lays out, so a space lost to CSS shows here.
    const counts = await page.locator('.summary li').allInnerTexts();
    expect(counts).toEqual(['7 enrolled', '3 in progress', '2 completed']);
    expect(await page.locator('.enrollment .course').allInnerTexts()).toEqual([
      'Customer Education Onboarding',
      'Reporting Basics',
      'Permission Sets in Practice',
      'Data Loader Deep Dive',
      'Flow Builder Fundamentals',
    ]);
    expect(await page.locator('.enrollment .details').first().innerText()).toMatch(
      /^Attempt 1\s+Enrolled Feb 10, 2026$/
    );
    // The accessibility tree's names, as a screen reader gets them.
    for (const name of ['Customer Education Onboarding: 40% complete', 'Flow Builder Fundamentals: 99% complete']) {
      expect(await page.getByRole('progressbar', { name, exact: true }).count()).toBe(1);
    }
    expect(await page.getByRole('progressbar').count()).toBe(5);
    expect(await page.getByRole('heading', { name: 'Enrollments', level: 2 }).count()).toBe(1);

    const viewAll = page.getByRole('link', { name: 'View all enrollments', exact: true });
    const listUrl = `/lightning/r/Contact/${CONTACT_ID}/related/northpass__Enrollments__r/view`;
    expect(await viewAll.getAttribute('href')).toBe(listUrl);
    await viewAll.click();
    expect(await page.locator('#navigated').innerText()).toBe(`View all opens ${listUrl}`);
    await screenshot(page, 'data');
    await page.close();
  });

  it('many: the count says more exist, and only the row limit is listed', async () => {
    const page = await open('many', '.enrollment');
    expect(await axe(page)).toEqual([]);
    expect(await page.locator('.summary li').allInnerTexts()).toEqual([
      '25+ enrolled',
      '12 in progress',
      '9 completed',
    ]);
    expect(await page.locator('.enrollment').count()).toBe(5);
    await screenshot(page, 'many');
    await page.close();
  });

  it('empty: says when learners appear, without counts or View all', async () => {
    const page = await open('empty', '.empty');
    expect(await axe(page)).toEqual([]);
    expect(await page.locator('.empty').innerText()).toBe(
      'No enrollments yet — learners appear here once Customer Education syncs them'
    );
    expect(await page.locator('.summary').count()).toBe(0);
    expect(await page.getByRole('link', { name: /View all/ }).count()).toBe(0);
    await screenshot(page, 'empty');
    await page.close();
  });

  it('error: an alert with the heading and the message Salesforce gave', async () => {
    const page = await open('error', '.error');
    expect(await axe(page)).toEqual([]);
    const alert = page.getByRole('alert');
    expect(await alert.innerText()).toMatch(
      /^Enrollments could not be loaded\.\n+No such column 'northpass__Progress_Percentage__c' on entity 'northpass__Enrollment__c'\.$/
    );
    await screenshot(page, 'error');
    await page.close();
  });

  it('loading: a spinner announced as loading enrollments', async () => {
    const page = await open('loading', '.loading');
    expect(await axe(page)).toEqual([]);
    expect(await page.getByRole('status').filter({ hasText: 'Loading enrollments' }).count()).toBe(1);
    await screenshot(page, 'loading');
    await page.close();
  });
});
