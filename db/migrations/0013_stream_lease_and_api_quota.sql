CREATE TABLE "api_call_counts" (
	"platform" text NOT NULL,
	"api" text NOT NULL,
	"month" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"withheld" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "api_call_counts_platform_api_month_pk" PRIMARY KEY("platform","api","month")
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"fence" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quota_notices" (
	"platform" text NOT NULL,
	"month" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "quota_notices_platform_month_kind_pk" PRIMARY KEY("platform","month","kind")
);
