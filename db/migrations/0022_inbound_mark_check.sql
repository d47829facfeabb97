-- An inbound row's "processed" mark names this check: a process that handled a just-received message without
-- claiming its row first finds here that another process (a sweep) handled it meanwhile, and its transaction fails
-- as a serialization failure instead of committing the message's effects a second time. Under READ COMMITTED an
-- UPDATE re-evaluates its condition on the row's newest version once a concurrent writer has committed.
CREATE FUNCTION "inbound_still_received"("status" text, "id" bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF "status" <> 'received' THEN
    RAISE EXCEPTION 'inbound row % was handled by another process', "id" USING ERRCODE = '40001';
  END IF;
  RETURN true;
END
$$;
