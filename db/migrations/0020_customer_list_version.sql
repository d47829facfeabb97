CREATE TABLE "customer_list_versions" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" text NOT NULL
);
--> statement-breakpoint
-- Renewed by any statement on customers (insert, update, delete, truncate): a process rebuilds its name index when
-- the stamp differs from the one it built it at. Random, so two databases never share a stamp.
CREATE FUNCTION "renew_customer_list_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "customer_list_versions" ("id", "version") VALUES (1, md5(random()::text || clock_timestamp()::text))
  ON CONFLICT ("id") DO UPDATE SET "version" = excluded."version";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "customers_list_changed" AFTER INSERT OR UPDATE OR DELETE ON "customers"
  FOR EACH STATEMENT EXECUTE FUNCTION "renew_customer_list_version"();--> statement-breakpoint
CREATE TRIGGER "customers_list_truncated" AFTER TRUNCATE ON "customers"
  FOR EACH STATEMENT EXECUTE FUNCTION "renew_customer_list_version"();--> statement-breakpoint
INSERT INTO "customer_list_versions" ("id", "version") VALUES (1, md5(random()::text || clock_timestamp()::text));
