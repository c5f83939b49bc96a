-- What an agenda item is about besides plans: KPIs, quarterly rounds (the kwartaalrapportage
-- on the agenda) and actions (the open escalations a body takes up). Same type rules as 0001.

CREATE TABLE agenda_item_indicators (
    meeting_id   TEXT NOT NULL,
    number       BIGINT NOT NULL,
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    PRIMARY KEY (meeting_id, number, indicator_id),
    FOREIGN KEY (meeting_id, number) REFERENCES agenda_items (meeting_id, number)
);
CREATE INDEX agenda_item_indicators_indicator ON agenda_item_indicators (indicator_id);

CREATE TABLE agenda_item_rounds (
    meeting_id   TEXT NOT NULL,
    number       BIGINT NOT NULL,
    period       TEXT NOT NULL REFERENCES report_rounds (period),
    PRIMARY KEY (meeting_id, number, period),
    FOREIGN KEY (meeting_id, number) REFERENCES agenda_items (meeting_id, number)
);
CREATE INDEX agenda_item_rounds_period ON agenda_item_rounds (period);

CREATE TABLE agenda_item_actions (
    meeting_id   TEXT NOT NULL,
    number       BIGINT NOT NULL,
    action_id    BIGINT NOT NULL REFERENCES actions (id),
    PRIMARY KEY (meeting_id, number, action_id),
    FOREIGN KEY (meeting_id, number) REFERENCES agenda_items (meeting_id, number)
);
CREATE INDEX agenda_item_actions_action ON agenda_item_actions (action_id);
