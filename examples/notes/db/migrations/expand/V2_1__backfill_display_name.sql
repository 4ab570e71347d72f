-- Fills display_name for the notes written before version 2, a batch at a time, so no statement
-- holds many row locks for long. It stops at the newest note when it began: rows version 1 still
-- writes during the rollout are filled by a later backfill, once version 1 no longer runs.
DO $$
DECLARE
  last_id bigint := (SELECT coalesce(max(id), 0) FROM notes);
  filled integer;
BEGIN
  LOOP
    UPDATE notes SET display_name = replace(name, '-', ' ')
    WHERE id IN (
      SELECT id FROM notes
      WHERE display_name IS NULL AND id <= last_id
      ORDER BY id LIMIT 500
    );
    GET DIAGNOSTICS filled = ROW_COUNT;
    EXIT WHEN filled = 0;
  END LOOP;
END $$;
