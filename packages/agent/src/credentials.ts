import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, errorMessage, StateFileError } from './errors.ts';

/** File in the state directory holding what pairing returned; mode 0600. */
export const CREDENTIALS_FILE = 'credentials.json';

export const credentialsSchema = z.object({
  deviceId: z.string(),
  cloudUrl: z.string(),
  sessionId: z.string().nullable(),
  meterSerial: z.string().nullable(),
  mqttUrl: z.string().nullable(),
  mqttUsername: z.string(),
  mqttPassword: z.string(),
  pairedAt: z.string(),
});

/** Device credentials from pairing. `mqttPassword` is a secret: never log it. */
export type Credentials = z.infer<typeof credentialsSchema>;

const PAIR_AGAIN = 'pair the agent again (metervision-agent pair, or pnpm agent pair from a checkout) or restore the file';

/** Reads the pairing credentials from `stateDir`; null when the device is not paired yet. */
export async function readCredentials(stateDir: string): Promise<Credentials | null> {
  const file = path.join(stateDir, CREDENTIALS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`cannot read ${file}: ${errorMessage(error)}`, { file, cause: error });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(file, `${file} is not valid JSON: ${PAIR_AGAIN}`, { cause: error });
  }

  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(file)').join(', ');
    throw new StateFileError(file, `${file} has missing or invalid fields (${fields}): ${PAIR_AGAIN}`);
  }
  return parsed.data;
}

/**
 * Stores credentials with mode 0600, written to a temporary file and renamed over the old one,
 * so a power cut leaves either the old or the new file, never half of one.
 */
export async function writeCredentials(stateDir: string, credentials: Credentials): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, CREDENTIALS_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flush: true });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return file;
}
