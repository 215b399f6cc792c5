import type { Logger } from 'pino';
import type { MessageBus } from '../broker/bus.ts';
import type { Database } from '../db/database.ts';
import type { Repositories } from '../repositories.ts';
import type { InstallationEventsRepo } from './events.repo.ts';
import type { InstallationsRepo } from './installations.repo.ts';
import type { InstallationSettings } from './settings.ts';
import type { ValidationRunner } from './validation/runner.ts';

/** Everything the installation workflow uses, built once per app by the route module. */
export interface WorkflowDeps {
  database: Database;
  repos: Repositories;
  installations: InstallationsRepo;
  events: InstallationEventsRepo;
  runner: ValidationRunner;
  /** Null when the app runs without a broker: no image capture, no configuration publishing. */
  bus: MessageBus | null;
  settings: InstallationSettings;
  /** MQTT URL given to cameras at pairing. */
  mqttPublicUrl: string | null;
  logger: Logger;
}
