import { asc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { ActorKind, InstallationEventType } from './types.ts';

/** Who did a step: a user (by id), the camera (by device id) or the cloud itself. */
export type Actor = { kind: 'user'; userId: number } | { kind: 'device'; deviceId: string } | { kind: 'system' };

export interface InstallationEvent {
  id: number;
  type: InstallationEventType;
  actorKind: ActorKind;
  actorUserId: number | null;
  /** Username of `actorUserId`; null when the user was deleted or the actor is not a user. */
  actorUsername: string | null;
  actorDeviceId: string | null;
  at: Date;
  details: Record<string, unknown> | null;
}

/** The event log of installation sessions: append-only. */
export class InstallationEventsRepo {
  constructor(private readonly database: Database) {}

  async record(installationId: string, type: InstallationEventType, actor: Actor, details?: Record<string, unknown>): Promise<void> {
    const { installationEvents } = this.database.tables;
    await this.database.db.insert(installationEvents).values({
      installationId,
      type,
      actorKind: actor.kind,
      actorUserId: actor.kind === 'user' ? actor.userId : null,
      actorDeviceId: actor.kind === 'device' ? actor.deviceId : null,
      at: new Date(),
      details: details ?? null,
    });
  }

  /** The events of one session, oldest first. */
  async list(installationId: string): Promise<InstallationEvent[]> {
    const { installationEvents: events, users } = this.database.tables;
    const rows = await this.database.db
      .select({ event: events, username: users.username })
      .from(events)
      .leftJoin(users, eq(users.id, events.actorUserId))
      .where(eq(events.installationId, installationId))
      .orderBy(asc(events.id));

    return rows.map(({ event, username }) => ({
      id: event.id,
      type: event.type,
      actorKind: event.actorKind,
      actorUserId: event.actorUserId,
      actorUsername: username ?? null,
      actorDeviceId: event.actorDeviceId,
      at: event.at,
      details: event.details ?? null,
    }));
  }
}
