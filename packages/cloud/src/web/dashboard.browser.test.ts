import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePayload, topics } from '@metervision/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstallationsRepo } from '../installations/installations.repo.ts';
import type { ValidationRecord } from '../installations/types.ts';
import { startCloud, type CloudHandle } from '../start.ts';
import { seed, type Seed } from '../testing/seed.ts';
import { chromiumSkipReason as skipReason, launchChromium } from '../testing/chromium.ts';
import { seedInstallation, seedReadings, type SeededReading } from './testing.ts';

// One Chromium for the whole file, driven through playwright-core against a cloud started on
// loopback with seeded data. Screenshots of every page at phone and desktop width go to
// test-results/screenshots/ at the repository root.

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
type ViewportName = keyof typeof VIEWPORTS;

/** Wait for changes that travel broker → ingestion → event stream → page. */
const LIVE = { timeout: 10_000, interval: 100 };

/**
 * Lists labels, including the `data-label` column names of card tables, whose computed style lets the
 * browser break inside a word: on a phone that showed "Valu e" and "Confid ence".
 */
const WORD_BREAKING_LABELS = `[...document.querySelectorAll('dt, th, label, .badge, td[data-label]')]
  .map((element) => ({ element, style: getComputedStyle(element, element.matches('td') ? '::before' : null) }))
  .filter(({ style }) => style.overflowWrap === 'anywhere' || style.wordBreak === 'break-all')
  .map(({ element }) => element.dataset.label ?? element.textContent.trim())`;

/** Natural width of a loaded image; 0 while it loads or when it failed. */
function loadedWidth(image: Locator): Promise<number> {
  return image.evaluate((element) => {
    const img = element as unknown as { complete: boolean; naturalWidth: number };
    return img.complete ? img.naturalWidth : 0;
  });
}

/** Width of the page's content: more than the viewport means it scrolls sideways. */
function scrollWidth(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth') as Promise<number>;
}

interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
  close(): Promise<void>;
}

describe.skipIf(skipReason !== null)(`dashboard in Chromium${skipReason ? `: ${skipReason}` : ''}`, () => {
  let dataDir: string;
  let cloud: CloudHandle;
  let browser: Browser;
  let data: Seed;
  let acmeReadings: SeededReading[];
  const sessions: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'metervision-dashboard-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    cloud = await startCloud({ host: '127.0.0.1', port: 0, mqttPort: 0, dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'dashboard-test-signing-key-0123456789abcdef', passwordHashCost: 10 });
    data = await seed(cloud.database, cloud.repos, 'ui');
    acmeReadings = await seedReadings(cloud.repos, cloud.deps.evidence, data.organizations[0], { count: 24, startValue: 100 });
    await seedReadings(cloud.repos, cloud.deps.evidence, data.organizations[1], { count: 5, startValue: 700 });
    for (const organization of data.organizations) sessions.push(await seedInstallation(cloud.database, cloud.deps.evidence, organization));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const acme = () => data.organizations[0];
  const globex = () => data.organizations[1];
  const url = (path: string) => `${cloud.httpUrl}${path}`;

  async function openPage(viewport: ViewportName, options: BrowserContextOptions = {}): Promise<OpenedPage> {
    const context = await browser.newContext({ viewport: VIEWPORTS[viewport], ...options });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
    return { page, errors, close: () => context.close() };
  }

  async function signIn(page: Page, username: string, path = '/'): Promise<void> {
    await page.goto(url(path));
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(data.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(url(path));
  }

  async function screenshot(page: Page, name: string, viewport: ViewportName): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${viewport}.png`), fullPage: true });
  }

  it('signs in and out', async () => {
    const { page, errors, close } = await openPage('desktop');
    await page.goto(url('/'));
    expect(page.url()).toBe(url('/login?next=%2F'));

    await signIn(page, acme().members.admin);
    await expect.poll(() => page.locator(`tr[data-device-id="${acme().deviceId}"]`).count()).toBe(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(url('/login?signed_out=1'));
    expect(await page.getByRole('status').textContent()).toBe('You are signed out.');

    await page.goto(url('/ui/meters'));
    expect(page.url()).toBe(url('/login?next=%2Fui%2Fmeters'));
    expect(errors).toEqual([]);
    await close();
  });

  it('charts the seeded readings', async () => {
    // A browser far from UTC shows whether the chart follows the page's UTC times.
    const { page, errors, close } = await openPage('desktop', { timezoneId: 'America/New_York' });
    await signIn(page, acme().members.viewer, '/ui/meters');
    await page.getByLabel('Search meters').fill('basement');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: acme().meterSerial }).click();
    await page.waitForSelector('#meter-chart .uplot canvas');

    const latest = acmeReadings.at(-1)!;
    expect(await page.locator('#latest-value').textContent()).toBe(`${latest.value} m3`);
    expect(await page.locator('#readings tbody tr').count()).toBe(acmeReadings.length);

    // Hovering the right edge of the plot makes uPlot's legend show the newest point.
    const plot = await page.locator('#meter-chart .u-over').boundingBox();
    await page.mouse.move(plot!.x + plot!.width - 1, plot!.y + plot!.height / 2);
    await expect.poll(() => page.locator('#meter-chart .u-legend .u-series').nth(1).locator('.u-value').textContent()).toBe(String(latest.value));
    const iso = latest.capturedAt.toISOString();
    expect(await page.locator('#meter-chart .u-legend .u-series').nth(0).locator('.u-value').textContent()).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
    expect(await page.locator('#meter-chart .u-legend .u-series').nth(0).locator('.u-label').textContent()).toBe('Time (UTC)');
    expect(errors).toEqual([]);
    await close();
  });

  it('shows evidence with ROIs', async () => {
    const { page, errors, close } = await openPage('desktop');
    const reading = acmeReadings.at(-1)!;
    await signIn(page, acme().members.viewer, `/ui/meters/${acme().meterSerial}`);
    await page.getByRole('link', { name: /^Evidence of the reading at/ }).first().click();

    const image = page.locator('#evidence-image');
    await expect.poll(() => loadedWidth(image)).toBe(320);
    expect(await page.locator('#reading-confidence').textContent()).toMatch(/^\d+ %$/);
    expect(page.url()).toBe(url(`/ui/meters/${acme().meterSerial}/readings/${reading.id}`));
    expect(errors).toEqual([]);
    await close();
  });

  it('follows a camera live', async () => {
    const { page, errors, close } = await openPage('desktop');
    await signIn(page, acme().members.admin);
    await page.evaluate('window.loadedOnce = true');
    await expect.poll(() => page.locator('#live-state').textContent(), LIVE).toBe('live');

    const offline = encodePayload('status', { v: 1, state: 'offline', at: new Date().toISOString() });
    const device = await mqtt.connectAsync(cloud.mqttUrl!, {
      clientId: acme().deviceId,
      username: acme().deviceId,
      password: acme().deviceSecret,
      reconnectPeriod: 0,
      will: { topic: topics.status(acme().deviceId), payload: Buffer.from(offline), qos: 1, retain: true },
    });
    await device.publishAsync(topics.status(acme().deviceId), encodePayload('status', { v: 1, state: 'online', at: new Date().toISOString() }), { qos: 1, retain: true });
    const heartbeat = {
      v: 1 as const,
      sentAt: new Date().toISOString(),
      firmwareVersion: '2.4.1',
      uptimeSeconds: 30,
      signalDbm: -58,
      freeMemoryBytes: 1_000_000,
      lastError: { code: 'capture_timeout', message: 'The camera did not answer in 10 s', at: new Date().toISOString() },
    };
    await device.publishAsync(topics.heartbeat(acme().deviceId), encodePayload('heartbeat', heartbeat), { qos: 1 });

    const row = page.locator(`tr[data-device-id="${acme().deviceId}"]`);
    await expect.poll(() => row.locator('[data-field="status"]').textContent(), LIVE).toBe('online');
    // The status and the heartbeat are two messages, so they may reach the page in two pushes.
    await expect.poll(() => row.locator('[data-field="firmware_version"]').textContent(), LIVE).toBe('2.4.1');
    expect(await row.locator('[data-field="signal_dbm"]').textContent()).toBe('-58 dBm');
    expect(await row.locator('[data-field="last_error"]').textContent()).toContain('capture_timeout The camera did not answer in 10 s');

    // Dropping the connection without DISCONNECT makes the broker publish the last will.
    device.stream.destroy();
    await expect.poll(() => row.locator('[data-field="status"]').textContent(), LIVE).toBe('offline');
    expect(await page.locator('[data-count="offline"]').textContent()).toBe('1');
    expect(await page.evaluate('window.loadedOnce'), 'the page was reloaded').toBe(true);
    device.end(true);
    expect(errors).toEqual([]);
    await close();
  });

  it('follows an installation on a phone', async () => {
    // The session's latest run is shown as still running, then as finished while the page is open.
    const installations = new InstallationsRepo(cloud.database);
    const finished = (await installations.findById(sessions[0]!))!;
    const running: ValidationRecord = {
      ...finished.validation!,
      status: 'running',
      finishedAt: null,
      durationMs: null,
      stages: finished.validation!.stages.map((stage, index) => (index === 0 ? stage : { ...stage, status: index === 1 ? 'running' : 'pending', checks: [], skippedReason: null })),
    };
    await installations.update(finished.id, { status: 'validating', validation: running });

    const { page, errors, close } = await openPage('phone', { isMobile: true, hasTouch: true });
    await signIn(page, acme().members.installer, '/ui/installations');
    await page.locator(`li[data-installation-id="${sessions[0]}"] a`).click();
    await page.waitForURL(url(`/ui/installations/${sessions[0]}`));
    await page.evaluate('window.loadedOnce = true');
    expect(await page.locator('#installation-status').textContent()).toBe('validating');
    expect(await page.locator('[data-stage="image_quality"] [data-stage-status]').textContent()).toBe('running');

    await installations.update(finished.id, { status: finished.status, validation: finished.validation });
    await expect.poll(() => page.locator('#installation-status').textContent(), LIVE).toBe('validation failed');
    expect(await page.evaluate('window.loadedOnce'), 'the page was reloaded').toBe(true);

    expect(await page.locator('[data-stage]').count()).toBe(4);
    const signal = page.locator('[data-check="signal_strength"]');
    expect(await signal.locator('[data-field="measured"]').textContent()).toBe('-61 dBm');
    expect(await signal.locator('[data-field="threshold"]').textContent()).toBe('≥ -80 dBm');
    expect(await page.locator('[data-check="confidence"] .advice').textContent()).toBe('Advice: Move the digit ROIs onto the wheels in the layout editor.');
    await expect.poll(() => loadedWidth(page.locator('#validation-image'))).toBe(320);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows Complete once a run passes', async () => {
    const id = await seedInstallation(cloud.database, cloud.deps.evidence, acme(), { suffix: '-live-actions', status: 'validating' });
    const { page, errors, close } = await openPage('phone', { isMobile: true, hasTouch: true });
    await signIn(page, acme().members.installer, `/ui/installations/${id}`);
    expect(await page.getByRole('button', { name: 'Complete installation' }).count()).toBe(0);

    // The run ends on the server; the page must offer Complete without a reload.
    await new InstallationsRepo(cloud.database).transition(id, ['validating'], { status: 'validated' });
    await expect.poll(() => page.getByRole('button', { name: 'Complete installation' }).count(), { ...LIVE, timeout: 15_000 }).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('validates and completes on a phone', async () => {
    const id = await seedInstallation(cloud.database, cloud.deps.evidence, acme(), { suffix: '-phone' });
    const { page, errors, close } = await openPage('phone', { isMobile: true, hasTouch: true });
    await signIn(page, acme().members.installer, `/ui/installations/${id}`);

    await page.getByLabel('Value on the meter now').fill('12a');
    await page.getByRole('button', { name: 'Validate again' }).click();
    expect(await page.locator('#installation-status').textContent()).toBe('validation failed');

    // The browser's own pattern check keeps the form from being sent; the server check is in pages.test.ts.
    expect(await page.evaluate(`document.querySelector('#validate-form input[name="expected_value"]').validity.patternMismatch`)).toBe(true);
    await page.getByLabel('Value on the meter now').fill('12345.5');
    await page.getByLabel('Serial number on the meter plate').fill(acme().meterSerial);
    await page.getByRole('button', { name: 'Validate again' }).click();
    await page.waitForURL(url(`/ui/installations/${id}`));
    await expect.poll(() => page.locator('h2', { hasText: 'Validation run' }).textContent(), LIVE).toContain('run 2');
    await expect.poll(() => page.locator('#installation-status').textContent(), { ...LIVE, timeout: 30_000 }).toBe('validation failed');
    await screenshot(page, 'installation-validated', 'phone');

    await page.getByRole('button', { name: 'Close as failed' }).click();
    await page.waitForURL(url(`/ui/installations/${id}`));
    expect(await page.locator('#installation-status').textContent()).toBe('failed');
    expect(await page.locator('#actions form').count()).toBe(0);
    expect(await page.locator('.check .badge.failed').count(), 'failed checks kept').toBeGreaterThan(0);
    await screenshot(page, 'installation-completed', 'phone');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    expect(errors).toEqual([]);
    await close();
  }, 60_000);

  it('wraps labels between words', async () => {
    const { page, close } = await openPage('phone');
    await signIn(page, acme().members.installer, `/ui/installations/${sessions[0]}`);
    expect(await page.evaluate(WORD_BREAKING_LABELS)).toEqual([]);

    await page.goto(url(`/ui/meters/${acme().meterSerial}`));
    expect(await page.evaluate(WORD_BREAKING_LABELS)).toEqual([]);
    await close();
  });

  it('keeps organizations apart', async () => {
    const { page, errors, close } = await openPage('desktop');
    await signIn(page, acme().members.viewer, '/ui/meters');
    const tree = await page.locator('main').textContent();
    expect(tree).toContain(acme().meterSerial);
    expect(tree).not.toContain(globex().meterSerial);

    await page.goto(url('/'));
    expect(await page.locator('main').textContent()).not.toContain(globex().deviceId);

    for (const path of [`/ui/meters/${globex().meterSerial}`, `/ui/installations/${sessions[1]}`]) {
      const response = await page.goto(url(path));
      expect(response!.status(), path).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Not found');
    }
    // The two 404 responses are the only console errors.
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toContain('404 (Not Found)');
    await close();
  });

  it('works with script disabled', async () => {
    const { page, errors, close } = await openPage('phone', { javaScriptEnabled: false });
    await signIn(page, acme().members.viewer, `/ui/meters/${acme().meterSerial}`);
    expect(await page.locator('#latest-value').textContent()).toBe(`${acmeReadings.at(-1)!.value} m3`);
    expect(await page.locator('#readings tbody tr').count()).toBe(acmeReadings.length);
    expect(await page.locator('#meter-chart').isHidden()).toBe(true);

    await page.goto(url(`/ui/installations/${sessions[0]}`));
    expect(await page.locator('[data-check]').count()).toBe(5);
    await page.goto(url('/'));
    expect(await page.locator(`tr[data-device-id="${acme().deviceId}"]`).count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it.each(Object.keys(VIEWPORTS) as ViewportName[])('screenshots every page at %s width', async (viewport) => {
    const { page, errors, close } = await openPage(viewport);
    await page.goto(url('/login'));
    await screenshot(page, 'login', viewport);
    await signIn(page, acme().members.admin);

    const reading = acmeReadings.at(-1)!;
    const pages: [string, string][] = [
      ['fleet', '/'],
      ['meters', '/ui/meters'],
      ['meter', `/ui/meters/${acme().meterSerial}`],
      ['reading', `/ui/meters/${acme().meterSerial}/readings/${reading.id}`],
      ['installations', '/ui/installations'],
      ['installation', `/ui/installations/${sessions[0]}`],
    ];
    for (const [name, path] of pages) {
      await page.goto(url(path));
      await page.waitForLoadState('load');
      if (name === 'meter') await page.waitForSelector('#meter-chart .uplot canvas');
      await screenshot(page, name, viewport);
      expect(await scrollWidth(page), `${name} scrolls sideways`).toBeLessThanOrEqual(VIEWPORTS[viewport].width);
    }
    expect(errors).toEqual([]);
    await close();
  });
});
