import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'test-results');
/** Debian's chromium by default; `LGPT_CHROMIUM` points at another Chromium or Chrome. */
const CHROMIUM = process.env.LGPT_CHROMIUM ?? '/usr/bin/chromium';
/** Headless, no sandbox (containers, CI), and no network besides the page. */
const BASE_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/**
 * On Linux WebGPU is behind this flag; with it a machine without a GPU gets SwiftShader (Vulkan
 * on the CPU, shipped with Chromium) as its adapter. Without it Chromium offers no adapter at all,
 * which is how the second test meets a browser without WebGPU.
 */
const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];
/** SwiftShader is slow (2–4 s a step here); the loss falls well within these. */
const STEPS = 10;

let server: PreviewServer;
let url: string;
let browser: Browser | undefined;

beforeAll(async () => {
  await build({ root: ROOT, logLevel: 'warn' });
  server = await preview({ root: ROOT, preview: { host: '127.0.0.1', port: 0, strictPort: true } });
  url = server.resolvedUrls?.local[0] ?? '';
  if (!url) throw new Error('vite preview did not report its URL');
  await mkdir(RESULTS, { recursive: true });
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

afterAll(async () => {
  await server?.close();
});

/** Opens the page; `errors` collects uncaught exceptions and console errors (none expected). */
async function openPage(args: string[], query = ''): Promise<{ page: Page; errors: string[] }> {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...args] });
  const page = await browser.newPage({ viewport: { width: 760, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // Chromium logs every 404 answer; the loader asks for optional files (tokenizer.json,
    // added_tokens.json) that a checkpoint may lack, and handles their absence.
    if (message.type() === 'error' && !/status of 404/.test(message.text())) {
      errors.push(message.text());
    }
  });
  await page.goto(url + query);
  return { page, errors };
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? '';
}

/** Waits until the page is no longer busy and returns its state: `ready` or `error`. */
async function settled(page: Page, timeout: number): Promise<string | undefined> {
  await page.waitForFunction(
    () => ['ready', 'error'].includes(document.body.dataset.state ?? ''),
    undefined,
    { timeout },
  );
  return page.evaluate(() => document.body.dataset.state);
}

/** Like `settled`, but a page that could not start fails the test with its message. */
async function waitUntilIdle(page: Page, timeout: number): Promise<void> {
  if ((await settled(page, timeout)) === 'error') {
    throw new Error(`the page failed to start: ${await text(page, '#status')}`);
  }
}

/** Clicks `button`, waits for the action to finish, and fails with its error message if any. */
async function act(page: Page, button: string, status: string, timeout: number): Promise<void> {
  await page.locator(button).click();
  await waitUntilIdle(page, timeout);
  const message = await text(page, status);
  if (message.startsWith('Error')) throw new Error(`${button}: ${message}`);
}

/** Trains `steps` steps through the page and returns the losses its chart plots. */
async function train(page: Page, steps: number): Promise<number[]> {
  await page.locator('#steps').fill(String(steps));
  await act(page, '#train', '#status', 180_000);
  return JSON.parse((await page.locator('#loss-chart').getAttribute('data-losses')) ?? '[]');
}

async function generate(page: Page): Promise<string> {
  // A few tokens: each takes 0.4–1 s on SwiftShader.
  await page.locator('#new-tokens').fill('8');
  await act(page, '#generate', '#generate-status', 60_000);
  return text(page, '#continuation');
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The loss fell: the last step is below the first, and so is the mean of the last three. */
function expectLossFell(losses: number[]): void {
  expect(losses).toHaveLength(STEPS);
  expect(losses.every(Number.isFinite), `losses ${losses}`).toBe(true);
  expect(losses.at(-1), `losses ${losses}`).toBeLessThan(losses[0]);
  expect(mean(losses.slice(-3)), `losses ${losses}`).toBeLessThan(mean(losses.slice(0, 3)));
}

describe('browser fine-tuning', () => {
  it('trains LoRA on WebGPU, then generates text', async () => {
    const { page, errors } = await openPage(WEBGPU_ARGS);
    await waitUntilIdle(page, 60_000);
    // Fails if the page quietly fell back to wasm (the note says why it did).
    expect(
      await page.locator('#backend').getAttribute('data-backend'),
      await text(page, '#backend-note'),
    ).toBe('webgpu');

    expectLossFell(await train(page, STEPS));
    expect((await generate(page)).trim(), 'generated text').not.toBe('');

    await page.screenshot({ path: join(RESULTS, 'finetune.png'), fullPage: true });
    expect(errors, 'errors in the page').toEqual([]);
  });

  it('falls back to wasm when the browser offers no WebGPU adapter', async () => {
    const { page, errors } = await openPage([]);
    await waitUntilIdle(page, 60_000);
    expect(await page.locator('#backend').getAttribute('data-backend')).toBe('wasm');
    expect(await text(page, '#backend-note')).toContain('WebGPU unavailable');
    // The preview server sends COOP/COEP: wasm runs threaded, on every core (at most 8).
    const { isolated, cores } = await page.evaluate(() => ({
      isolated: crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
    }));
    expect(isolated, 'cross-origin isolated').toBe(true);
    expect(Number(await page.locator('#backend').getAttribute('data-threads'))).toBe(
      Math.min(cores, 8),
    );

    expectLossFell(await train(page, STEPS));
    expect((await generate(page)).trim(), 'generated text').not.toBe('');

    await page.screenshot({ path: join(RESULTS, 'finetune-wasm.png'), fullPage: true });
    expect(errors, 'errors in the page').toEqual([]);
  });

  it('loads its checkpoint over HTTP through fromPretrained, and from the browser cache on reload', async () => {
    const { page, errors } = await openPage([], '?backend=wasm');
    const modelRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/models/')) modelRequests.push(new URL(request.url()).pathname);
    });
    await waitUntilIdle(page, 60_000);
    expect(modelRequests).toEqual(
      expect.arrayContaining([
        '/models/sonnets-tiny/config.json',
        '/models/sonnets-tiny/model.safetensors',
      ]),
    );
    expect(await page.locator('#model-source').inputValue()).toBe(
      `${url.replace(/\/$/, '')}/models/sonnets-tiny`,
    );
    expect(
      await page.evaluate(async () => (await (await caches.open('lgpt-hub-v1')).keys()).length),
    ).toBeGreaterThan(1);

    modelRequests.length = 0;
    await page.reload();
    await waitUntilIdle(page, 60_000);
    expect(modelRequests, 'files fetched again on the second visit').toEqual([]);
    expect(await text(page, '#model-info')).toContain('/models/sonnets-tiny: GPT-2, 2 layers');
    expect(errors, 'errors in the page').toEqual([]);
  });

  it('refuses ?backend=webgpu without an adapter rather than falling back', async () => {
    const { page } = await openPage([], '?backend=webgpu');
    expect(await settled(page, 60_000)).toBe('error');
    expect(await text(page, '#status')).toContain('backend=webgpu was requested');
    expect(await page.locator('#train').isDisabled()).toBe(true);
  });
});
