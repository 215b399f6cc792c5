import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrPool } from './ocr-pool.ts';
import { encodePgm } from './render.ts';

// A 7 drawn as a bar and a stem, black on white, 40 px high.
function seven(): Buffer {
  const width = 40;
  const height = 56;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 8; y < 14; y += 1) for (let x = 8; x < 32; x += 1) data[y * width + x] = 0;
  for (let y = 14; y < 48; y += 1) {
    const x0 = Math.round(31 - ((y - 14) * 14) / 34);
    for (let x = x0 - 3; x <= x0 + 2; x += 1) data[y * width + x] = 0;
  }
  return encodePgm({ data, width, height });
}

describe('OcrPool', () => {
  let pool: OcrPool;

  beforeAll(async () => {
    pool = await OcrPool.create({ workers: 1, recycleAfter: 3, logger: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await pool?.close();
  });

  it('reads a digit with a whitelist', async () => {
    const output = await pool.recognize(seven(), 'char');
    expect(output.text).toBe('7');
    expect(output.symbols[0]?.confidence).toBeGreaterThan(50);
  });

  it('keeps reading across worker replacements', async () => {
    const texts: string[] = [];
    for (let index = 0; index < 8; index += 1) texts.push((await pool.recognize(seven(), 'char')).text);
    expect(texts).toEqual(new Array(8).fill('7'));
  });

  it('serves parallel jobs during a replacement', async () => {
    const outputs = await Promise.all(Array.from({ length: 6 }, () => pool.recognize(seven(), 'char')));
    expect(outputs.map((output) => output.text)).toEqual(new Array(6).fill('7'));
  });

  it('rejects jobs after close', async () => {
    const closing = await OcrPool.create({ workers: 1, logger: pino({ level: 'silent' }) });
    await closing.close();
    await expect(closing.recognize(seven(), 'char')).rejects.toMatchObject({ code: 'reader_closed' });
  });
});
