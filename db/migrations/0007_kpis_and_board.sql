CREATE TABLE "board_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_weeks" (
	"week_start" timestamp with time zone NOT NULL,
	"promise_window_ms" bigint NOT NULL,
	"figures" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kpi_weeks_week_start_promise_window_ms_pk" PRIMARY KEY("week_start","promise_window_ms")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "latency_ms" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "paused_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "paused_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "pause_reason" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "promised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "board_sessions_expires_idx" ON "board_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "approval_tasks_decided_idx" ON "approval_tasks" USING btree ("decided_at","department","created_at") WHERE "approval_tasks"."status" in ('approved', 'rejected');--> statement-breakpoint
CREATE INDEX "orders_confirmed_at_idx" ON "orders" USING btree ("confirmed_at","latency_ms") WHERE "orders"."confirmed_at" is not null;--> statement-breakpoint
CREATE INDEX "orders_delivered_at_idx" ON "orders" USING btree ("delivered_at","promised_at") WHERE "orders"."delivered_at" is not null;--> statement-breakpoint
CREATE INDEX "orders_unfinished_idx" ON "orders" USING btree ("status","stage") WHERE "orders"."status" in ('pending_approval', 'confirmed');--> statement-breakpoint
-- Orders confirmed before the latency clock existed: no pauses were recorded, so the figure is the plain span.
UPDATE "orders" SET
  "confirmed_at" = "decided_at",
  "latency_ms" = greatest(0, floor(extract(epoch from ("decided_at" - "requested_at")) * 1000)),
  "promised_at" = ("promised_date" + time '18:00') at time zone 'Asia/Shanghai',
  "delivered_at" = CASE WHEN "stage" = 'delivered' THEN "stage_at" END
WHERE "status" IN ('confirmed', 'delivered') AND "decided_at" IS NOT NULL AND "promised_date" IS NOT NULL;
