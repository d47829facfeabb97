CREATE TABLE "config_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"source" text NOT NULL,
	"file_hash" text,
	"saved_by" text NOT NULL,
	"saved_at" timestamp with time zone NOT NULL,
	"changes" jsonb NOT NULL,
	"restores" integer
);
