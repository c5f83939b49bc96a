-- A meeting that is called off (afgelast) stays, with its reason: 0/1 as every flag, and the
-- reason in words. Its status is kept as it was when it was called off.
ALTER TABLE meetings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN cancel_reason TEXT;
