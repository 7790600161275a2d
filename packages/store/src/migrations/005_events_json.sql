-- An event's place and detail are written once and read back whole for timelines, never queried
-- inside: as json (validated text) the database takes them in ~25 % cheaper than as jsonb.
alter table events alter column location type json using location::json;
alter table events alter column detail type json using detail::json;
