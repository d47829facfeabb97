CREATE TABLE "channel_cursors" (
	"channel" text NOT NULL,
	"shop" text NOT NULL,
	"kind" text NOT NULL,
	"cursor" jsonb NOT NULL,
	"caught_up_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	"last_error" text,
	CONSTRAINT "channel_cursors_channel_shop_kind_pk" PRIMARY KEY("channel","shop","kind")
);
--> statement-breakpoint
CREATE TABLE "channel_customer_links" (
	"channel" text NOT NULL,
	"buyer_key" text NOT NULL,
	"customer_id" integer NOT NULL,
	"method" text NOT NULL,
	"linked_by" text,
	"linked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "channel_customer_links_channel_buyer_key_pk" PRIMARY KEY("channel","buyer_key")
);
--> statement-breakpoint
CREATE TABLE "channel_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"shop" text NOT NULL,
	"message_id" text NOT NULL,
	"order_id" text NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "channel_orders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"shop" text NOT NULL,
	"order_id" text NOT NULL,
	"status" text NOT NULL,
	"buyer_key" text NOT NULL,
	"buyer_phone_hash" text,
	"customer_id" integer,
	"created_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"platform_updated_at" timestamp with time zone NOT NULL,
	"body" jsonb NOT NULL,
	"goods_fen" bigint NOT NULL,
	"paid_fen" bigint NOT NULL,
	"evaluation" jsonb,
	"expected_invoice_fen" bigint,
	"source" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"rule" jsonb NOT NULL,
	"budget" jsonb,
	"source" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_settlements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"shop" text NOT NULL,
	"line_key" text NOT NULL,
	"order_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"settled_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stacking_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_set" text NOT NULL,
	"customer_id" integer NOT NULL,
	"order_ids" jsonb NOT NULL,
	"rule_codes" jsonb NOT NULL,
	"overlap_skus" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"reason" text,
	"reviewer" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "stacking_reviews_order_set_unique" UNIQUE("order_set")
);
--> statement-breakpoint
ALTER TABLE "channel_customer_links" ADD CONSTRAINT "channel_customer_links_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_orders" ADD CONSTRAINT "channel_orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stacking_reviews" ADD CONSTRAINT "stacking_reviews_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_customer_links_customer_idx" ON "channel_customer_links" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_messages_dedupe_idx" ON "channel_messages" USING btree ("channel","message_id");--> statement-breakpoint
CREATE INDEX "channel_messages_pending_idx" ON "channel_messages" USING btree ("channel","shop","id") WHERE "channel_messages"."status" = 'received';--> statement-breakpoint
CREATE UNIQUE INDEX "channel_orders_key_idx" ON "channel_orders" USING btree ("channel","order_id");--> statement-breakpoint
CREATE INDEX "channel_orders_customer_idx" ON "channel_orders" USING btree ("customer_id","paid_at");--> statement-breakpoint
CREATE INDEX "channel_orders_buyer_idx" ON "channel_orders" USING btree ("channel","buyer_key");--> statement-breakpoint
CREATE INDEX "channel_orders_paid_idx" ON "channel_orders" USING btree ("paid_at");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_rules_version_idx" ON "channel_rules" USING btree ("code","version");--> statement-breakpoint
CREATE INDEX "channel_rules_status_idx" ON "channel_rules" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_settlements_line_idx" ON "channel_settlements" USING btree ("channel","line_key");--> statement-breakpoint
CREATE INDEX "channel_settlements_order_idx" ON "channel_settlements" USING btree ("channel","order_id");--> statement-breakpoint
CREATE INDEX "channel_settlements_at_idx" ON "channel_settlements" USING btree ("settled_at");--> statement-breakpoint
CREATE INDEX "stacking_reviews_open_idx" ON "stacking_reviews" USING btree ("created_at") WHERE "stacking_reviews"."status" = 'open';