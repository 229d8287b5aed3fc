/**
 * Screenshots of the element for the README, taken from the demo page in headless Debian Chromium with
 * the local voice server and a fake microphone: the inline and the floating layout, idle and in a live
 * session (the agent greeting, its halo up), in the light and the dark colour scheme.
 *
 *   npm run screenshots        writes docs/screenshots/{inline,floating}-{idle,live}-{light,dark}.png
 *                              and docs/screenshots/floating-phone-light.png
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumFlags } from '../tools/chromium.js';
import type { VoiceAgent } from '../src/voice-agent.js';
import { root, startServer, writeSpeechWav } from './demo-server.js';

const OUT = `${root}docs/screenshots`;
const TIMEOUT_MS = 20_000;
const MARGIN = 24;

/** Waits until the element with `id` has `status`, and (for a live shot) the agent's voice shows. */
async function waitFor(page: Page, id: string, status: string, speaking = false): Promise<void> {
  await page.waitForFunction(
    ([which, want, loud]) => {
      const el = document.getElementById(which as string) as VoiceAgent;
      // Loud: the agent's level well up (the greeting has pauses between its words).
      return el.status === want && (!loud || el.outputLevel > 0.5);
    },
    [id, status, speaking] as const,
    { timeout: TIMEOUT_MS, polling: 20 },
  );
  if (speaking) await page.waitForTimeout(60); // the socket Worker draws the halo at the next report
}

/** A screenshot of `box` grown by MARGIN on every side. */
async function shoot(
  page: Page,
  name: string,
  target: Locator | { x: number; y: number; width: number; height: number },
) {
  const box = 'boundingBox' in target ? (await target.boundingBox())! : target;
  const clip = {
    x: Math.max(0, box.x - MARGIN),
    y: Math.max(0, box.y - MARGIN),
    width: box.width + 2 * MARGIN,
    height: box.height + 2 * MARGIN,
  };
  await page.screenshot({ path: `${OUT}/${name}.png`, clip });
  console.log(`  docs/screenshots/${name}.png`);
}

/** The floating element's corner of the viewport: the panel above the launcher. */
function corner(page: Page) {
  const { width, height } = page.viewportSize()!;
  return { x: width - 400, y: height - 600, width: 400 - MARGIN, height: 600 - MARGIN };
}

const wav = writeSpeechWav();
const server = await startServer([]);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumFlags(wav) });
mkdirSync(OUT, { recursive: true });
try {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ colorScheme, viewport: { width: 1440, height: 860 }, deviceScaleFactor: 2 });
    await page.goto(server.url);
    await page.waitForFunction(() => customElements.get('voice-agent'));
    const inline = page.locator('#default-agent');
    const floating = page.locator('#floating-agent');

    await shoot(page, `inline-idle-${colorScheme}`, inline);
    await inline.getByRole('button', { name: 'Talk to the agent' }).click();
    await waitFor(page, 'default-agent', 'ready', true);
    await shoot(page, `inline-live-${colorScheme}`, inline);
    await inline.getByRole('button', { name: 'End conversation' }).click();
    await waitFor(page, 'default-agent', 'idle');

    await floating.getByRole('button', { name: 'Voice assistant' }).click();
    await shoot(page, `floating-idle-${colorScheme}`, corner(page));
    await floating.getByRole('button', { name: 'Talk to the agent' }).click();
    await waitFor(page, 'floating-agent', 'ready', true);
    // Push-to-talk: the visitor holds the talk control while the agent greets.
    await floating.getByRole('button', { name: 'Hold to talk' }).hover();
    await page.mouse.down();
    await waitFor(page, 'floating-agent', 'ready', true);
    await shoot(page, `floating-live-${colorScheme}`, corner(page));
    await page.mouse.up();
    await page.evaluate(() => (document.getElementById('floating-agent') as VoiceAgent).stop());
    await page.close();
  }
  // A phone: the panel takes the screen's width less a margin, and the launcher stays in its corner.
  const phone = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, hasTouch: true });
  await phone.goto(server.url);
  await phone.waitForFunction(() => customElements.get('voice-agent'));
  await phone.locator('#floating-agent').getByRole('button', { name: 'Voice assistant' }).click();
  await phone.screenshot({ path: `${OUT}/floating-phone-light.png` });
  console.log('  docs/screenshots/floating-phone-light.png');
} finally {
  await browser.close();
  await server.close();
}
