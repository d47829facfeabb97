CREATE TABLE "plant_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"cause" jsonb NOT NULL,
	"materials" text[] DEFAULT '{}'::text[] NOT NULL,
	"lines" text[] DEFAULT '{}'::text[] NOT NULL,
	"everything" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "repromises" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" bigint NOT NULL,
	"change_id" bigint NOT NULL,
	"promised_date" date NOT NULL,
	"earliest" date,
	"split" jsonb,
	"line_dates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"cause" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "erp_code" text;--> statement-breakpoint
ALTER TABLE "order_items" ADD COLUMN "requested_date" date;--> statement-breakpoint
ALTER TABLE "order_items" ADD COLUMN "promised_date" date;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "split_of" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "erp_number" text;--> statement-breakpoint
ALTER TABLE "repromises" ADD CONSTRAINT "repromises_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repromises" ADD CONSTRAINT "repromises_change_id_plant_changes_id_fk" FOREIGN KEY ("change_id") REFERENCES "public"."plant_changes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plant_changes_pending_idx" ON "plant_changes" USING btree ("id") WHERE "plant_changes"."processed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "repromises_order_change_idx" ON "repromises" USING btree ("order_id","change_id");--> statement-breakpoint
CREATE INDEX "repromises_open_idx" ON "repromises" USING btree ("order_id") WHERE "repromises"."status" = 'open';--> statement-breakpoint
CREATE INDEX "orders_split_of_idx" ON "orders" USING btree ("split_of") WHERE "orders"."split_of" is not null;--> statement-breakpoint
-- Existing lines take their order's dates.
UPDATE "order_items" SET "requested_date" = o."requested_date", "promised_date" = o."promised_date" FROM "orders" o WHERE o."id" = "order_items"."order_id";--> statement-breakpoint
-- Goods that have left the plant no longer hold stock or capacity: the ERP's stock count already went down.
DELETE FROM "reservations" r USING "orders" o WHERE o."id" = r."order_id" AND (o."status" IN ('rejected', 'delivered') OR o."stage" IN ('shipped', 'delivered'));
