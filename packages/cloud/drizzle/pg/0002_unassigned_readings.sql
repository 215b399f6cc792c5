CREATE TABLE "unassigned_readings" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" integer NOT NULL,
	"device_id" text NOT NULL,
	"reported_meter_serial" text,
	"status" text NOT NULL,
	"value" double precision,
	"text" text,
	"raw_value" double precision,
	"raw_text" text,
	"unit" text NOT NULL,
	"confidence" double precision NOT NULL,
	"reason_code" text,
	"reason" text,
	"digits" jsonb NOT NULL,
	"pointers" jsonb NOT NULL,
	"quality" jsonb,
	"config_version" integer,
	"processing_ms" double precision,
	"captured_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"image_path" text,
	"image_content_type" text
);
--> statement-breakpoint
ALTER TABLE "unassigned_readings" ADD CONSTRAINT "unassigned_readings_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unassigned_readings" ADD CONSTRAINT "unassigned_readings_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "unassigned_readings_device_captured_idx" ON "unassigned_readings" USING btree ("device_id","captured_at");--> statement-breakpoint
CREATE INDEX "unassigned_readings_organization_idx" ON "unassigned_readings" USING btree ("organization_id");