import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_ROOT, corpusAvailable } from '../bench/corpus.ts';
import { evaluateAiedge, evaluateNohn, summarise, type NohnOutcome, type Outcome } from '../bench/evaluate.ts';
import { MeterReader } from './reader.ts';

// The real photos live outside the repository (never copied into it); without them this file skips.
const available = corpusAvailable();
if (!available) console.warn(`skipping real-photo tests: no photo corpus at ${CORPUS_ROOT}`);

describe.skipIf(!available)('real photos', () => {
  let reader: MeterReader;
  let aiedge: Record<string, Outcome[]>;
  let nohn: NohnOutcome[];

  beforeAll(async () => {
    reader = await MeterReader.create({ workers: 1, logger: pino({ level: 'silent' }) });
    aiedge = await evaluateAiedge(reader);
    nohn = await evaluateNohn(reader);
  }, 180_000);

  afterAll(async () => {
    await reader?.close();
  });

  const allAiedge = () => Object.values(aiedge).flat();
  const describeMisses = (outcomes: Outcome[]) => outcomes.map((outcome) => `${outcome.id}: ${outcome.text ?? outcome.error} (${outcome.confidence}) ${outcome.reason ?? ''}`);

  it('reads every aiedge integer part', () => {
    const misses = allAiedge().filter((outcome) => !outcome.integerExact);
    expect(describeMisses(misses)).toEqual([]);
    expect(summarise(allAiedge()).integerExact).toBe(28);
  });

  it('reads 26 aiedge values within 0.005', () => {
    expect(summarise(allAiedge()).within0005).toBeGreaterThanOrEqual(26);
  });

  it('publishes no wrong aiedge reading', () => {
    expect(describeMisses(allAiedge().filter((outcome) => outcome.wrongButConfident))).toEqual([]);
  });

  it('gives each nohn case its outcome', () => {
    const failed = nohn.filter((outcome) => !outcome.passed).map((outcome) => `${outcome.id}: read ${outcome.text}, final ${outcome.finalValue}, expected ${outcome.case.expectedValue}`);
    expect(failed).toEqual([]);
    expect(nohn).toHaveLength(4);
  });

  it('rejects the nohn one-off case', () => {
    const fail = nohn.find((outcome) => outcome.id === 'demo_offset_one_off_fail');
    expect(fail).toMatchObject({ rejected: true, finalValue: 819.6796 });
  });
});
