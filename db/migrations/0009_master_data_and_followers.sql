CREATE TABLE "order_followers" (
	"order_id" bigint NOT NULL,
	"person_id" text NOT NULL,
	"platform" text NOT NULL,
	"conversation_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_followers_order_id_person_id_pk" PRIMARY KEY("order_id","person_id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "materials" ADD COLUMN "spec" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "related_order_id" bigint;--> statement-breakpoint
ALTER TABLE "order_followers" ADD CONSTRAINT "order_followers_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_open_customer_idx" ON "orders" USING btree ("customer_id","created_at") WHERE "orders"."status" in ('pending_approval', 'confirmed');