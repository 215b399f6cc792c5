import type { DeviceConfig } from '@metervision/protocol';
import type { SeenFiles } from '../capture/types.ts';
import type { AgentDatabase } from './db.ts';

/** The last accepted reading, which plausibility compares the next one against. */
export interface PreviousValue {
  value: number;
  /** Capture time, ISO 8601. */
  at: string;
}

/** Folder-source files remembered in `each` mode; older entries beyond this count are forgotten. */
const SEEN_FILES_KEPT = 10_000;

/**
 * Small durable key-value state of the agent in the same SQLite database as the outbox, so a
 * reading and the previous value it sets are committed in one transaction.
 */
export class StateStore {
  readonly #db: AgentDatabase;
  readonly #get;
  readonly #set;
  readonly #delete;

  constructor(db: AgentDatabase) {
    this.#db = db;
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM state WHERE key = ?');
    this.#set = db.prepare<[string, string]>('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#delete = db.prepare<[string]>('DELETE FROM state WHERE key = ?');
  }

  getJson<T>(key: string): T | null {
    const row = this.#get.get(key);
    return row ? (JSON.parse(row.value) as T) : null;
  }

  setJson(key: string, value: unknown): void {
    if (value === null || value === undefined) {
      this.#delete.run(key);
      return;
    }
    this.#set.run(key, JSON.stringify(value));
  }

  get previousValue(): PreviousValue | null {
    return this.getJson<PreviousValue>('previousValue');
  }

  set previousValue(value: PreviousValue | null) {
    this.setJson('previousValue', value);
  }

  /** The last remote configuration applied, kept so a restart without the broker uses it. */
  get remoteConfig(): DeviceConfig | null {
    return this.getJson<DeviceConfig>('remoteConfig');
  }

  set remoteConfig(config: DeviceConfig | null) {
    this.setJson('remoteConfig', config);
  }

  /** Adds `delta` to a durable counter and returns the new total. */
  increment(key: string, delta = 1): number {
    const total = (this.getJson<number>(key) ?? 0) + delta;
    this.setJson(key, total);
    return total;
  }

  counter(key: string): number {
    return this.getJson<number>(key) ?? 0;
  }

  /** Files a folder source has consumed, bounded to the newest {@link SEEN_FILES_KEPT}. */
  seenFiles(): SeenFiles {
    const has = this.#db.prepare<[string], { key: string }>('SELECT key FROM seen_files WHERE key = ?');
    const add = this.#db.prepare<[string, number]>('INSERT OR REPLACE INTO seen_files (key, seen_at) VALUES (?, ?)');
    const prune = this.#db.prepare<[number]>(
      'DELETE FROM seen_files WHERE key NOT IN (SELECT key FROM seen_files ORDER BY seen_at DESC LIMIT ?)',
    );
    let added = 0;

    return {
      has: (key) => has.get(key) !== undefined,
      add: (key) => {
        add.run(key, Date.now());
        added += 1;
        if (added % 100 === 0) prune.run(SEEN_FILES_KEPT);
      },
    };
  }

  /** Runs `fn` in one SQLite transaction: all of its writes commit together or none do. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }
}
