import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type DeviceConfig, type MeterLayout, toPayloadIssues } from '@metervision/protocol';
import { LayoutError, parseLayout } from '@metervision/vision';
import { z } from 'zod';
import { ConfigError, type ConfigIssue, errorMessage } from '../errors.ts';
import { type AgentConfigFile, agentConfigSchema, type SourceConfig } from './schema.ts';
import { unknownKeyIssues } from './unknown-keys.ts';

/** Version of the configuration built from the local file; remote configurations start at 1. */
export const LOCAL_CONFIG_VERSION = 0;

/**
 * The agent's configuration with defaults filled, relative paths resolved, password files read
 * and the layout parsed. `device` is the meter configuration in the shape of the retained
 * `config` message, with version 0, used until a remote configuration is applied.
 */
export interface AgentConfig extends Omit<AgentConfigFile, 'meter'> {
  device: DeviceConfig;
  /** The file this came from, or null when built in code. */
  file: string | null;
}

export interface ResolveOptions {
  /** Folder relative paths start from; defaults to the configuration file's folder, else the cwd. */
  baseDir?: string;
  file?: string | null;
}

/**
 * Reads and validates a local configuration file (JSON). Throws a {@link ConfigError} listing
 * every invalid or unknown field and every unreadable file it names (layout, password files).
 *
 * @example
 * const config = await loadConfigFile('/etc/metervision/agent.json');
 */
export async function loadConfigFile(file: string): Promise<AgentConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${absolute}: ${errorMessage(error)}`, { file: absolute, cause: error });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${absolute} is not valid JSON: ${errorMessage(error)}`, {
      file: absolute,
      cause: error,
    });
  }
  return resolveAgentConfig(json, { file: absolute });
}

/**
 * Validates a local configuration object and resolves its paths, secrets and layout. Unknown keys
 * are errors here (a misspelt key would otherwise fall back to its default silently). The remote
 * configuration is checked elsewhere and stays lenient.
 */
export async function resolveAgentConfig(input: unknown, options: ResolveOptions = {}): Promise<AgentConfig> {
  const file = options.file ?? null;
  const baseDir = options.baseDir ?? (file ? path.dirname(file) : process.cwd());
  const where = file ?? 'configuration';

  const resolve = (relative: string) => path.resolve(baseDir, relative);
  const parsed = agentConfigSchema.safeParse(input);
  const unknownKeys = unknownKeyIssues(agentConfigSchema, input);
  if (!parsed.success || unknownKeys.length > 0) {
    const schemaIssues = parsed.success ? [] : toPayloadIssues(parsed.error);
    const issues = [...unknownKeys, ...schemaIssues, ...(await referencedFileIssues(input, resolve, file))];
    throw new ConfigError(`${where} is invalid: ${formatIssues(issues)}`, { file, issues });
  }

  const config = parsed.data;
  const source = resolveSourcePaths(config.source, resolve);
  const mqtt = {
    ...config.mqtt,
    password: config.mqtt.password ?? (await readSecretFile(config.mqtt.passwordFile, resolve, 'mqtt.passwordFile', file)),
    caFile: config.mqtt.caFile ? resolve(config.mqtt.caFile) : undefined,
  };
  const { layout: layoutInput, layoutFile, ...meter } = config.meter;
  const layout = await loadLayout(layoutInput, layoutFile ? resolve(layoutFile) : undefined, source, baseDir, file);

  const device: DeviceConfig = { v: 1, version: LOCAL_CONFIG_VERSION, ...meter, layout };
  return {
    ...config,
    stateDir: resolve(config.stateDir),
    mqtt,
    source: await resolveSourceSecrets(source, resolve, file),
    device,
    file,
  };
}

/**
 * Checks the files an invalid configuration names (layout, password files) so that one
 * `config check` reports them with the schema errors. Values of the wrong type are skipped
 * because the schema errors already cover them.
 */
async function referencedFileIssues(input: unknown, resolve: (relative: string) => string, file: string | null): Promise<ConfigIssue[]> {
  const raw = input as { meter?: { layoutFile?: unknown }; mqtt?: { passwordFile?: unknown }; source?: { auth?: { passwordFile?: unknown } } } | null;
  const checks: Promise<unknown>[] = [];
  const layoutFile = raw?.meter?.layoutFile;
  if (typeof layoutFile === 'string' && layoutFile !== '') checks.push(readLayoutFile(resolve(layoutFile), file));
  for (const [field, value] of [['mqtt.passwordFile', raw?.mqtt?.passwordFile], ['source.auth.passwordFile', raw?.source?.auth?.passwordFile]] as const) {
    if (typeof value === 'string' && value !== '') checks.push(readSecretFile(value, resolve, field, file));
  }

  const results = await Promise.allSettled(checks);
  return results.flatMap((result) => (result.status === 'rejected' && result.reason instanceof ConfigError ? result.reason.issues : []));
}

function resolveSourcePaths(source: SourceConfig, resolve: (relative: string) => string): SourceConfig {
  if (source.type === 'folder') return { ...source, path: resolve(source.path) };
  return source;
}

async function resolveSourceSecrets(
  source: SourceConfig,
  resolve: (relative: string) => string,
  file: string | null,
): Promise<SourceConfig> {
  if (source.type !== 'http' || !source.auth || source.auth.password !== undefined) return source;

  const password = await readSecretFile(source.auth.passwordFile, resolve, 'source.auth.passwordFile', file);
  return { ...source, auth: { ...source.auth, password } };
}

async function readSecretFile(
  secretFile: string | undefined,
  resolve: (relative: string) => string,
  field: string,
  file: string | null,
): Promise<string | undefined> {
  if (secretFile === undefined) return undefined;

  const absolute = resolve(secretFile);
  try {
    const text = await readFile(absolute, 'utf8');
    return text.split(/\r?\n/)[0] ?? '';
  } catch (error) {
    const issue = { path: field, message: `cannot read ${absolute}: ${errorMessage(error)}` };
    throw new ConfigError(`${file ?? 'configuration'} is invalid: ${formatIssues([issue])}`, { file, issues: [issue], cause: error });
  }
}

async function loadLayout(
  inline: unknown,
  layoutFile: string | undefined,
  source: SourceConfig,
  baseDir: string,
  file: string | null,
): Promise<MeterLayout> {
  if (layoutFile !== undefined) return parseLayoutOrThrow(await readLayoutFile(layoutFile, file), path.dirname(layoutFile), 'meter.layoutFile', file);
  if (inline !== undefined) return parseLayoutOrThrow(inline, baseDir, 'meter.layout', file);

  if (source.type === 'simulator') {
    const { simulatorLayout } = await import('../capture/simulator.ts');
    return parseLayoutOrThrow(await simulatorLayout(source), baseDir, 'source', file);
  }

  const issue = { path: 'meter.layout', message: 'missing: give meter.layout or meter.layoutFile' };
  throw new ConfigError(`${file ?? 'configuration'} is invalid: ${formatIssues([issue])}`, { file, issues: [issue] });
}

async function readLayoutFile(layoutFile: string, file: string | null): Promise<unknown> {
  try {
    return JSON.parse(await readFile(layoutFile, 'utf8'));
  } catch (error) {
    const issue = { path: 'meter.layoutFile', message: `cannot read layout ${layoutFile}: ${errorMessage(error)}` };
    throw new ConfigError(`${file ?? 'configuration'} is invalid: ${formatIssues([issue])}`, { file, issues: [issue], cause: error });
  }
}

async function parseLayoutOrThrow(json: unknown, baseDir: string, field: string, file: string | null): Promise<MeterLayout> {
  try {
    return await parseLayout(json, { baseDir });
  } catch (error) {
    const issues = layoutIssues(error, field);
    throw new ConfigError(`${file ?? 'configuration'} is invalid: ${formatIssues(issues)}`, { file, issues, cause: error });
  }
}

function layoutIssues(error: unknown, field: string) {
  if (error instanceof LayoutError) {
    return error.issues.map((issue) => ({ path: issue.path ? `${field}.${issue.path}` : field, message: issue.message }));
  }
  if (error instanceof z.ZodError) {
    return toPayloadIssues(error).map((issue) => ({ path: `${field}.${issue.path}`, message: issue.message }));
  }
  return [{ path: field, message: errorMessage(error) }];
}

/** Joins issues into one line: `meter.layout.digits.0.width: must be at least 1; ...`. */
export function formatIssues(issues: readonly { path: string; message: string }[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
}
