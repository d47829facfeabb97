CREATE TABLE "order_complaints" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"returned_quantity" integer,
	"note" text,
	"reported_by" text,
	"event_key" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_complaints_event_key_unique" UNIQUE("event_key")
);
--> statement-breakpoint
CREATE TABLE "order_risk_inputs" (
	"order_id" bigint PRIMARY KEY NOT NULL,
	"inputs" jsonb NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_risk_predictions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" bigint NOT NULL,
	"model_id" integer NOT NULL,
	"target" text NOT NULL,
	"probability" double precision NOT NULL,
	"contributions" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_models" (
	"id" serial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"trained_at" timestamp with time zone NOT NULL,
	"train_from" timestamp with time zone NOT NULL,
	"train_to" timestamp with time zone NOT NULL,
	"feature_spec" jsonb NOT NULL,
	"params" jsonb NOT NULL,
	"metrics" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "order_complaints" ADD CONSTRAINT "order_complaints_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_risk_inputs" ADD CONSTRAINT "order_risk_inputs_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_risk_predictions" ADD CONSTRAINT "order_risk_predictions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_risk_predictions" ADD CONSTRAINT "order_risk_predictions_model_id_risk_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."risk_models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_complaints_order_idx" ON "order_complaints" USING btree ("order_id","at");--> statement-breakpoint
CREATE INDEX "order_complaints_at_idx" ON "order_complaints" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "order_risk_predictions_order_idx" ON "order_risk_predictions" USING btree ("order_id","model_id");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_models_version_idx" ON "risk_models" USING btree ("target","version");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_models_active_idx" ON "risk_models" USING btree ("target") WHERE "risk_models"."status" = 'active';