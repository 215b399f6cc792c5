import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A parsed pino line: `level` is pino's number (20 debug, 30 info, 40 warn, 50 error). */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const WARN = 40;
export const INFO = 30;

/** Returns a logger that keeps every line it writes at `level` or above in `lines`. */
export function collectLogs(level: pino.Level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as LogLine);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
