CREATE TABLE "directory_departments" (
	"platform" text NOT NULL,
	"dept_id" text NOT NULL,
	"name" text,
	"parent_id" text,
	"synced_at" timestamp with time zone NOT NULL,
	CONSTRAINT "directory_departments_platform_dept_id_pk" PRIMARY KEY("platform","dept_id")
);
--> statement-breakpoint
CREATE TABLE "directory_people" (
	"platform" text NOT NULL,
	"user_id" text NOT NULL,
	"name" text,
	"title" text,
	"mobile" text,
	"department_ids" jsonb NOT NULL,
	"active" boolean NOT NULL,
	"admin_name" text,
	"admin_mobile" text,
	"first_seen_at" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone NOT NULL,
	CONSTRAINT "directory_people_platform_user_id_pk" PRIMARY KEY("platform","user_id")
);
