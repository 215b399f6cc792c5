import type { ApiClient } from './api-client.ts';

interface StartedSession {
  session_id: string;
  pairing_code: string;
}

interface Check {
  id: string;
  status: string;
  message: string;
  advice: string | null;
}

interface Stage {
  name: string;
  status: string;
  checks: Check[];
}

interface SessionStatus {
  status: string;
  validation: { status: string; stages: Stage[] } | null;
}

const VALIDATION_POLL_MS = 500;
const VALIDATION_TIMEOUT_MS = 120_000;

/** Starts an installation session for the meter and camera and returns its id and pairing code. */
export async function startInstallation(api: ApiClient, meterSerial: string, deviceId: string, intervalSeconds: number): Promise<StartedSession> {
  return api.post<StartedSession>('/api/installations/start', {
    meter_serial: meterSerial,
    device_id: deviceId,
    schedule: { intervalSeconds },
  });
}

/**
 * Runs the 4-stage validation with the value the installer reads off the meter and waits for
 * its outcome. Returns the stages as the status route reports them.
 */
export async function validateInstallation(api: ApiClient, sessionId: string, expectedValue: number, meterSerial: string): Promise<SessionStatus> {
  await api.post(`/api/installations/${sessionId}/validate`, { expected_value: expectedValue, meter_serial: meterSerial });

  const deadline = Date.now() + VALIDATION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await api.get<SessionStatus>(`/api/installations/${sessionId}/status`);
    if (status.status !== 'validating') return status;
    await new Promise((resolveWait) => setTimeout(resolveWait, VALIDATION_POLL_MS));
  }
  throw new Error(`Validation of session ${sessionId} did not finish within ${VALIDATION_TIMEOUT_MS / 1000} s`);
}

/** Formats one console line per stage and one per check that did not pass. */
export function describeValidation(status: SessionStatus): string[] {
  const lines: string[] = [];
  for (const stage of status.validation?.stages ?? []) {
    lines.push(`  ${stage.name}: ${stage.status}`);
    for (const check of stage.checks) {
      if (check.status === 'passed') continue;
      lines.push(`    ${check.id} ${check.status}: ${check.message}${check.advice ? ` Advice: ${check.advice}` : ''}`);
    }
  }
  return lines;
}
