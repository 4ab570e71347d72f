-- Version 2 writes display_name as well as name. A nullable column without a default changes
-- only the catalog: its lock is held for a moment, and version 1 keeps working.
ALTER TABLE notes ADD COLUMN display_name text;
