-- Governance (features/meetings): the meetings (vergaderingen) of a body, their agenda items
-- in order, and each item's outcomes (informatie, besluit, actiepunt). Same type rules as 0001:
-- TEXT ids and moments, 0/1 flags. Attendance and presenters are kept by organisation and
-- role, never by personal name: personal data lives in user accounts only.

CREATE TABLE meetings (
    id          TEXT PRIMARY KEY,
    body_id     TEXT NOT NULL REFERENCES bodies (id),
    -- The day (YYYY-MM-DD) and, when known, the local times (HH:MM, Europe/Amsterdam).
    starts_on   TEXT NOT NULL,
    starts_at   TEXT,
    ends_at     TEXT,
    place       TEXT,
    -- The chair, by organisation and role.
    chair       TEXT,
    -- concept-agenda, agenda-vastgesteld, verslag-concept or verslag-vastgesteld. Visitors see
    -- a meeting's day and place always, its agenda items from agenda-vastgesteld on, and its
    -- outcomes and attendance once the verslag is vastgesteld.
    status      TEXT NOT NULL CHECK (status IN
                    ('concept-agenda', 'agenda-vastgesteld', 'verslag-concept', 'verslag-vastgesteld')),
    -- The reason, when the status is a reasoned choice no document states (an aanname).
    status_assumption TEXT,
    source_id   TEXT REFERENCES sources (id),
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX meetings_body ON meetings (body_id, starts_on);

-- Who attended, by organisation (when it has a record) or as a description, and role.
CREATE TABLE meeting_attendance (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id),
    position        BIGINT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    description     TEXT,
    role            TEXT,
    PRIMARY KEY (meeting_id, position)
);

-- An agenda item (agendapunt) of a meeting, by its number.
CREATE TABLE agenda_items (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id),
    number          BIGINT NOT NULL,
    title           TEXT NOT NULL,
    -- Who brings it in, by organisation and role; an aanname's reason beside it.
    presenter_organisation_id TEXT REFERENCES organisations (id),
    presenter_role  TEXT,
    presenter_assumption TEXT,
    -- Attachments by their titles, one per line.
    attachments     TEXT,
    PRIMARY KEY (meeting_id, number)
);

-- The plans an agenda item is about.
CREATE TABLE agenda_item_plans (
    meeting_id  TEXT NOT NULL,
    number      BIGINT NOT NULL,
    plan_id     TEXT NOT NULL REFERENCES plans (id),
    PRIMARY KEY (meeting_id, number, plan_id),
    FOREIGN KEY (meeting_id, number) REFERENCES agenda_items (meeting_id, number)
);
CREATE INDEX agenda_item_plans_plan ON agenda_item_plans (plan_id);

-- What came of an agenda item: informatie, besluit or actiepunt, in order.
CREATE TABLE agenda_outcomes (
    meeting_id  TEXT NOT NULL,
    number      BIGINT NOT NULL,
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('informatie', 'besluit', 'actiepunt')),
    text        TEXT NOT NULL,
    -- An actiepunt's owner (organisation and role) and the day it is due (YYYY-MM-DD).
    owner       TEXT,
    due_on      TEXT,
    -- A besluit about a plan's stage: the plan and the stage it decided (the stage change it
    -- made carries the meeting as source and its day as the date it took effect).
    plan_id     TEXT REFERENCES plans (id),
    stage       TEXT,
    PRIMARY KEY (meeting_id, number, position),
    FOREIGN KEY (meeting_id, number) REFERENCES agenda_items (meeting_id, number)
);
