CREATE TABLE "seen_groups" (
	"conversation_id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"messages" integer DEFAULT 1 NOT NULL,
	"last_sender" text
);
