CREATE TABLE "platform_tokens" (
	"key" text PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reply_windows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"conversation_id" text NOT NULL,
	"url" text NOT NULL,
	"uses_left" integer,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "platform_data" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "reply_windows_url_idx" ON "reply_windows" USING btree ("platform","url");--> statement-breakpoint
CREATE INDEX "reply_windows_conversation_idx" ON "reply_windows" USING btree ("platform","conversation_id","expires_at");