import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICIES } from '../access/policies.ts';
import { startCloud, type CloudHandle } from '../start.ts';
import { chromiumSkipReason, launchChromium } from '../testing/chromium.ts';

// The reference page in a real Chromium, with every request to another origin blocked and
// recorded: the page must render every operation and run one from this origin alone.

describe.skipIf(chromiumSkipReason !== null)(`API reference in Chromium${chromiumSkipReason ? `: ${chromiumSkipReason}` : ''}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-docs-browser-'));
  let cloud: CloudHandle;
  let browser: Browser;

  beforeAll(async () => {
    cloud = await startCloud({ port: 0, mqttPort: 0, dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'docs-browser-signing-key-0123456789abcdef' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders offline under its CSP', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${cloud.httpUrl}/`) || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${cloud.httpUrl}/docs`);
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 15_000 }).toBe(POLICIES.length);
    expect(await page.locator('.info .title').textContent()).toContain('MeterVision API');

    const health = page.locator('#operations-Operations-get_healthz');
    await health.locator('.opblock-summary').click();
    await health.getByRole('button', { name: 'Try it out' }).click();
    await health.getByRole('button', { name: 'Execute' }).click();
    await expect.poll(() => health.locator('.live-responses-table tbody .response-col_status').first().textContent(), { timeout: 10_000 }).toContain('200');

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
