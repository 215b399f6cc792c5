CREATE TABLE `unassigned_readings` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`reported_meter_serial` text,
	`status` text NOT NULL,
	`value` real,
	`text` text,
	`raw_value` real,
	`raw_text` text,
	`unit` text NOT NULL,
	`confidence` real NOT NULL,
	`reason_code` text,
	`reason` text,
	`digits` text NOT NULL,
	`pointers` text NOT NULL,
	`quality` text,
	`config_version` integer,
	`processing_ms` real,
	`captured_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`image_path` text,
	`image_content_type` text,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `unassigned_readings_device_captured_idx` ON `unassigned_readings` (`device_id`,`captured_at`);--> statement-breakpoint
CREATE INDEX `unassigned_readings_organization_idx` ON `unassigned_readings` (`organization_id`);