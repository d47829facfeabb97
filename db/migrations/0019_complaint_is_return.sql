ALTER TABLE "order_complaints" ADD COLUMN "is_return" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- A return recorded before this column: its pieces were said, or the order's 'returned' event was written with it.
UPDATE "order_complaints" c SET "is_return" = true
WHERE c."returned_quantity" IS NOT NULL
   OR EXISTS (SELECT 1 FROM "order_events" e WHERE e."order_id" = c."order_id" AND e."type" = 'returned' AND e."at" = c."at");
