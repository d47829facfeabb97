CREATE TABLE "open_supply" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"material_code" text NOT NULL,
	"quantity" integer NOT NULL,
	"due_date" date NOT NULL,
	"reference" text,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "open_supply" ADD CONSTRAINT "open_supply_material_code_materials_code_fk" FOREIGN KEY ("material_code") REFERENCES "public"."materials"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "open_supply_material_idx" ON "open_supply" USING btree ("material_code");--> statement-breakpoint
CREATE INDEX "open_supply_source_idx" ON "open_supply" USING btree ("source");