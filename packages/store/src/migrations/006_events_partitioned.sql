-- Events are partitioned by week of arrival (received_at, the database's clock, which no producer
-- controls), so that retention drops whole partitions instead of deleting rows. A unique index on a
-- partitioned table must include the partition key, and a repeated event arrives later than the
-- first: it would land in another partition unnoticed. Event ids are therefore kept unique in a
-- table of their own, `event_ids`, small (id and arrival) and unpartitioned, and dropped with their
-- events' partition.
create table event_ids (
  id          text primary key,
  received_at timestamptz not null
);
insert into event_ids (id, received_at) select id, received_at from events;
create index event_ids_received on event_ids (received_at);

-- The existing table becomes the first partition, without copying a row: from the beginning of time
-- to the end of the current week (Monday 00:00 UTC), after which weekly partitions take over.
alter table events rename to events_before_partitioning;
alter table events_before_partitioning drop constraint events_pkey;
alter index events_session rename to events_before_partitioning_session;
alter index events_raw_ip rename to events_before_partitioning_raw_ip;
create table events (
  id          text not null,
  user_id     text,
  session_id  text,
  type        text not null,
  occurred_at timestamptz not null,
  ip          text,
  ip_hash     text,
  network     text,
  location    json,
  device      text,
  detail      json not null,
  received_at timestamptz not null default now()
) partition by range (received_at);
create index events_session on events (user_id, session_id, occurred_at);
create index events_raw_ip on events (received_at) where ip is not null;
-- Rows the weekly partitions do not cover (none, while the retention job creates them ahead).
create table events_default partition of events default;
do $$ begin execute format('alter table events attach partition events_before_partitioning for values from (minvalue) to (%L)', date_trunc('week', now() at time zone 'UTC') at time zone 'UTC' + interval '7 days'); end $$;
