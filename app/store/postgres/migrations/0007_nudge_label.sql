-- The nudge label the bot last put on an issue, so that the one a renamed or
-- removed nudge.label leaves behind can be taken off.
ALTER TABLE threads ADD COLUMN nudge_label TEXT NOT NULL DEFAULT '';
