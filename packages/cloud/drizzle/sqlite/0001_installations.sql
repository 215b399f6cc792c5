CREATE TABLE `device_heartbeats` (
	`device_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`sent_at` integer NOT NULL,
	`via` text NOT NULL,
	`clock_skew_ms` integer NOT NULL,
	`reported_clock_skew_ms` integer,
	`clock_synchronized` integer,
	`last_capture_at` integer,
	`capture_failures` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `installation_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`installation_id` text NOT NULL,
	`type` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_user_id` integer,
	`actor_device_id` text,
	`at` integer NOT NULL,
	`details` text,
	FOREIGN KEY (`installation_id`) REFERENCES `installations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `installation_events_installation_idx` ON `installation_events` (`installation_id`,`id`);--> statement-breakpoint
CREATE TABLE `installations` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` integer NOT NULL,
	`meter_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`status` text NOT NULL,
	`pairing_code_hash` text NOT NULL,
	`pairing_expires_at` integer NOT NULL,
	`pairing_attempts` integer DEFAULT 0 NOT NULL,
	`paired_at` integer,
	`expected_value` real,
	`confirmed_serial` text,
	`schedule` text,
	`validation` text,
	`validation_runs` integer DEFAULT 0 NOT NULL,
	`validation_started_at` integer,
	`failed_checks` text,
	`config_version` integer,
	`created_by` integer,
	`completed_by` integer,
	`completed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`meter_id`) REFERENCES `meters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`completed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `installations_pairing_code_unique` ON `installations` (`pairing_code_hash`);--> statement-breakpoint
CREATE INDEX `installations_organization_idx` ON `installations` (`organization_id`);--> statement-breakpoint
CREATE INDEX `installations_meter_idx` ON `installations` (`meter_id`);--> statement-breakpoint
CREATE INDEX `installations_device_idx` ON `installations` (`device_id`);