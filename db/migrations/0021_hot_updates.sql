-- Room on each page for a row's next version, so that updates which touch no indexed column stay on the page
-- (HOT: no index entries written). An outbox row is updated when claimed (attempts, lease) and a card when its
-- platform reference and state are recorded; with full pages most of those updates wrote every index again.
-- Only pages written from now on keep the room; existing rows are unchanged.
ALTER TABLE "outbox" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "cards" SET (fillfactor = 80);
