CREATE TABLE "customer_routes" (
	"customer_id" integer PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"seconds" integer,
	"problem" text,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_messages" (
	"outbox_key" text PRIMARY KEY NOT NULL,
	"order_id" bigint,
	"phone_masked" text NOT NULL,
	"text" text NOT NULL,
	"status" text NOT NULL,
	"provider_id" text,
	"error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "stage" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "stage_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "skipped_stages" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "plan_start" date;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "plan_finish" date;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "etd" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "alerted_etd" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "carrier" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "waybill" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "next_track_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "tracking" jsonb;--> statement-breakpoint
ALTER TABLE "customer_routes" ADD CONSTRAINT "customer_routes_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_in_progress_idx" ON "orders" USING btree ("id") WHERE "orders"."status" = 'confirmed';--> statement-breakpoint
CREATE INDEX "orders_tracking_idx" ON "orders" USING btree ("next_track_at") WHERE "orders"."status" = 'confirmed' and "orders"."waybill" is not null;