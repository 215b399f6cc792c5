import type { Logger } from 'pino';
import type { OutboxSettings } from '../config/schema.ts';
import type { AgentDatabase } from './db.ts';
import type { StateStore } from './state.ts';

const DAY_MS = 86_400_000;
/** Rows handled per pass when the outbox is over its byte bound. */
const TRIM_BATCH = 100;

/** A message waiting in the outbox for its PUBACK. */
export interface OutboxMessage {
  id: number;
  messageId: string;
  kind: string;
  topic: string;
  payload: string;
  createdAt: number;
  attempts: number;
}

export interface EnqueueInput {
  /** The reading id; a second message with the same id is ignored. */
  messageId: string;
  kind: string;
  topic: string;
  payload: string;
  /** Whether the payload carries an `image` field that may be removed when space runs out. */
  hasImage: boolean;
}

export interface OutboxStats {
  pending: number;
  bytes: number;
  /** Messages dropped because the outbox was full or too old, since the state was created. */
  dropped: number;
  /** Evidence images removed from queued readings to make room, since the state was created. */
  imagesDropped: number;
  /** Creation time of the oldest queued message, ms since the epoch, or null. */
  oldestAt: number | null;
}

/**
 * Durable queue of messages to publish at QoS 1. A message leaves only when `ack` is called,
 * which the publisher does on the broker's PUBACK.
 *
 * Size policy, checked on each enqueue. Messages older than `maxAgeDays` are dropped. Over
 * `maxBytes`, the evidence images of the oldest readings are removed first (their values stay),
 * then the oldest messages are dropped. Over `maxMessages`, the oldest are dropped. Every drop
 * is counted in the state and reported in the heartbeat.
 */
export class Outbox {
  readonly #state: StateStore;
  readonly #settings: OutboxSettings;
  readonly #logger: Logger;
  readonly #statements;

  constructor(db: AgentDatabase, state: StateStore, settings: OutboxSettings, logger: Logger) {
    this.#state = state;
    this.#settings = settings;
    this.#logger = logger;
    this.#statements = {
      insert: db.prepare(
        `INSERT INTO outbox (message_id, kind, topic, payload, bytes, has_image, created_at)
         VALUES (@messageId, @kind, @topic, @payload, @bytes, @hasImage, @createdAt)
         ON CONFLICT (message_id) DO NOTHING`,
      ),
      pending: db.prepare<[number], OutboxRow>(
        'SELECT id, message_id, kind, topic, payload, created_at, attempts FROM outbox ORDER BY id LIMIT ?',
      ),
      attempt: db.prepare<[number]>('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?'),
      ack: db.prepare<[number]>('DELETE FROM outbox WHERE id = ?'),
      totals: db.prepare<[], { count: number; bytes: number | null; oldest: number | null }>(
        'SELECT COUNT(*) AS count, SUM(bytes) AS bytes, MIN(created_at) AS oldest FROM outbox',
      ),
      dropOlderThan: db.prepare<[number]>('DELETE FROM outbox WHERE created_at < ?'),
      oldestWithImage: db.prepare<[number], { id: number; payload: string }>(
        'SELECT id, payload FROM outbox WHERE has_image = 1 ORDER BY id LIMIT ?',
      ),
      replacePayload: db.prepare<[string, number, number]>('UPDATE outbox SET payload = ?, bytes = ?, has_image = 0 WHERE id = ?'),
      dropOldest: db.prepare<[number]>('DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)'),
    };
  }

  /**
   * Queues a message and applies the size policy. Returns false when a message with the same id
   * is already queued. Call inside `StateStore.transaction` to commit it with other state.
   */
  enqueue(input: EnqueueInput, now = Date.now()): boolean {
    const result = this.#statements.insert.run({
      ...input,
      bytes: Buffer.byteLength(input.payload),
      hasImage: input.hasImage ? 1 : 0,
      createdAt: now,
    });
    if (result.changes === 0) return false;

    this.#enforceBounds(now);
    return true;
  }

  /** Returns the oldest queued messages, at most `limit`. */
  pending(limit: number): OutboxMessage[] {
    return this.#statements.pending.all(limit).map((row) => ({
      id: row.id,
      messageId: row.message_id,
      kind: row.kind,
      topic: row.topic,
      payload: row.payload,
      createdAt: row.created_at,
      attempts: row.attempts,
    }));
  }

  recordAttempt(id: number): void {
    this.#statements.attempt.run(id);
  }

  /** Removes a message after its PUBACK. */
  ack(id: number): void {
    this.#statements.ack.run(id);
  }

  stats(): OutboxStats {
    const totals = this.#statements.totals.get()!;
    return {
      pending: totals.count,
      bytes: totals.bytes ?? 0,
      dropped: this.#state.counter('outbox.dropped'),
      imagesDropped: this.#state.counter('outbox.imagesDropped'),
      oldestAt: totals.oldest,
    };
  }

  #enforceBounds(now: number): void {
    const settings = this.#settings;
    let dropped = this.#statements.dropOlderThan.run(now - settings.maxAgeDays * DAY_MS).changes;
    let imagesDropped = 0;

    let totals = this.#statements.totals.get()!;
    while ((totals.bytes ?? 0) > settings.maxBytes && totals.count > 0) {
      const withImage = this.#statements.oldestWithImage.all(TRIM_BATCH);
      if (withImage.length > 0) {
        for (const row of withImage) this.#stripImage(row);
        imagesDropped += withImage.length;
      } else {
        dropped += this.#statements.dropOldest.run(TRIM_BATCH).changes;
      }
      totals = this.#statements.totals.get()!;
    }

    if (totals.count > settings.maxMessages) {
      dropped += this.#statements.dropOldest.run(totals.count - settings.maxMessages).changes;
    }

    if (dropped > 0) this.#state.increment('outbox.dropped', dropped);
    if (imagesDropped > 0) this.#state.increment('outbox.imagesDropped', imagesDropped);
    if (dropped > 0 || imagesDropped > 0) {
      this.#logger.warn({ dropped, imagesDropped, maxBytes: settings.maxBytes, maxMessages: settings.maxMessages }, 'outbox full, dropped the oldest');
    }
  }

  #stripImage(row: { id: number; payload: string }): void {
    const message = JSON.parse(row.payload) as Record<string, unknown>;
    delete message.image;
    const payload = JSON.stringify(message);
    this.#statements.replacePayload.run(payload, Buffer.byteLength(payload), row.id);
  }
}

interface OutboxRow {
  id: number;
  message_id: string;
  kind: string;
  topic: string;
  payload: string;
  created_at: number;
  attempts: number;
}
