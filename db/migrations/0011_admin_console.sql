CREATE TABLE "admin_audit" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"detail" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "config_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"config" json NOT NULL,
	"source" text NOT NULL,
	"file_hash" text,
	"saved_by" text NOT NULL,
	"saved_at" timestamp with time zone NOT NULL,
	"changes" jsonb NOT NULL,
	"restores" integer
);
--> statement-breakpoint
CREATE TABLE "seen_groups" (
	"conversation_id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"messages" integer DEFAULT 1 NOT NULL,
	"last_sender" text
);
