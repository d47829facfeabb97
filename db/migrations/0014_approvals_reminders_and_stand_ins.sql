CREATE TABLE "stand_ins" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL,
	"stand_in_id" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "approval_tasks" ADD COLUMN "remind_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "approval_tasks" ADD COLUMN "nudged_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "stand_ins_person_idx" ON "stand_ins" USING btree ("person_id","ends_on") WHERE "stand_ins"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX "approval_tasks_remind_idx" ON "approval_tasks" USING btree ("remind_at") WHERE "approval_tasks"."status" = 'pending' and "approval_tasks"."remind_at" is not null;