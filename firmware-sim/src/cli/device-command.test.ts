import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../testing/broker.ts';
import { runCli } from '../testing/run-cli.ts';

describe('sim device', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ passwords: { 'cam-cli': 'right-password' } });
  });

  afterAll(async () => {
    await broker.close();
  });

  it('reports a rejected password once', async () => {
    const { code, stderr } = await runCli(['device', '--id', 'cam-cli', '--broker', broker.url], { SIM_DEVICE_PASSWORD: 'wrong' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`Device cam-cli could not connect to ${broker.url}: Connection refused: Bad username or password.`);
    expect(stderr).toContain('Check SIM_DEVICE_PASSWORD');
    expect(stderr).toContain('a rejected password is not retried');
    expect(stderr).not.toContain('wrong');
  });

  it('names an unreachable broker', async () => {
    const { code, stderr } = await runCli(['device', '--id', 'cam-cli', '--broker', 'mqtt://127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('Device cam-cli could not connect to mqtt://127.0.0.1:1');
    expect(stderr).toContain('Check --broker and that the broker is running.');
  });
});
