CREATE TABLE "bridge_files" (
	"name" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"status" text NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"error" text,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "line_loads" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"line" text NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date NOT NULL,
	"load" double precision NOT NULL,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moulds" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'ok' NOT NULL,
	"available_from" date,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" bigint NOT NULL,
	"material_code" text NOT NULL,
	"kind" text NOT NULL,
	"line" text,
	"day" date,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock" (
	"material_code" text PRIMARY KEY NOT NULL,
	"on_hand" integer NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cards" ALTER COLUMN "order_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "draft_id" bigint;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "purpose" text DEFAULT 'approval' NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_material_code_materials_code_fk" FOREIGN KEY ("material_code") REFERENCES "public"."materials"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock" ADD CONSTRAINT "stock_material_code_materials_code_fk" FOREIGN KEY ("material_code") REFERENCES "public"."materials"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "line_loads_line_idx" ON "line_loads" USING btree ("line","to_date");--> statement-breakpoint
CREATE INDEX "reservations_stock_idx" ON "reservations" USING btree ("material_code") WHERE "reservations"."kind" = 'stock';--> statement-breakpoint
CREATE INDEX "reservations_line_idx" ON "reservations" USING btree ("line","day") WHERE "reservations"."kind" = 'production';--> statement-breakpoint
ALTER TABLE "cards" ADD CONSTRAINT "cards_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE no action ON UPDATE no action;