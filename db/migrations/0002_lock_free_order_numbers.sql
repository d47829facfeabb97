CREATE SEQUENCE "public"."order_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "order_number_days" (
	"day" text PRIMARY KEY NOT NULL,
	"base" bigint NOT NULL
);
--> statement-breakpoint
DROP TABLE "order_number_counters" CASCADE;