import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { CaptureError } from '../errors.ts';

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** The command is killed (SIGKILL) after this many milliseconds. */
  timeoutMs: number;
  /** Largest standard output kept, in bytes; more kills the command. */
  maxBytes?: number;
  signal?: AbortSignal;
}

const STDERR_LIMIT = 4_096;

/**
 * Runs a command without a shell and collects its output. Throws a `CaptureError` when it
 * cannot start, exits non-zero, prints too much or runs longer than `timeoutMs`.
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const label = [command, ...args].join(' ');
  const maxBytes = options.maxBytes ?? 50_000_000;

  return new Promise((resolve, reject) => {
    // Own process group, so a timeout kills a wrapper script and everything it started.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let settled = false;

    const finish = (error: CaptureError | null, result?: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(result!);
    };
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const onAbort = () => {
      killGroup();
      finish(new CaptureError('command_failed', command, 'stopped because the agent is shutting down'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const timer = setTimeout(() => {
      killGroup();
      finish(new CaptureError('timeout', command, `no image within ${options.timeoutMs} ms; killed ${label}`, { timeoutMs: options.timeoutMs }));
    }, options.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        killGroup();
        finish(new CaptureError('too_large', command, `printed more than ${maxBytes} bytes`, { maxBytes }));
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        finish(new CaptureError('command_not_found', command, 'command not found on PATH; install it or set its full path', {}, { cause: error }));
        return;
      }
      finish(new CaptureError('command_failed', command, `cannot run: ${error.message}`, {}, { cause: error }));
    });

    child.on('close', (code, signal) => {
      if (code !== 0) {
        const detail = stderr.trim().split('\n').slice(-3).join(' | ');
        finish(
          new CaptureError('command_failed', command, `exited with ${code ?? signal}${detail ? `: ${detail}` : ''}`, {
            exitCode: code,
            signal,
          }),
        );
        return;
      }
      finish(null, { stdout: Buffer.concat(chunks, bytes), stderr });
    });
  });
}

/** Returns the first of `names` that is an executable file on PATH, or null. */
export async function findOnPath(names: readonly string[], searchPath = process.env.PATH ?? ''): Promise<string | null> {
  for (const name of names) {
    for (const folder of searchPath.split(path.delimiter).filter(Boolean)) {
      const candidate = path.join(folder, name);
      const found = await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (found) return candidate;
    }
  }
  return null;
}
