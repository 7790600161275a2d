-- Consumer progress, stored in the same transaction as the effects of the batch that produced it.
create table consumer_offsets (
  group_id    text   not null,
  topic       text   not null,
  partition   int    not null,
  next_offset bigint not null,
  updated_at  timestamptz not null default now(),
  primary key (group_id, topic, partition)
);

-- Detection state, as the engine's JSON documents.
create table user_states (
  user_id    text primary key,
  state      jsonb not null,
  updated_at timestamptz not null default now()
);
create table source_states (
  network    text primary key,
  state      jsonb not null,
  updated_at timestamptz not null default now()
);
create table partition_states (
  group_id  text not null,
  topic     text not null,
  partition int  not null,
  state     jsonb not null,
  primary key (group_id, topic, partition)
);

-- Every accepted event: the idempotency guard (a repeated id is the same event) and the session timelines.
-- `ip` is the raw address, kept only for IP_RETENTION_DAYS; `ip_hash` (keyed HMAC) and `network` stay.
create table events (
  id          text primary key,
  user_id     text,
  session_id  text,
  type        text not null,
  occurred_at timestamptz not null,
  ip          text,
  ip_hash     text,
  network     text,
  location    jsonb,
  device      text,
  detail      jsonb not null,
  received_at timestamptz not null default now()
);
create index events_session on events (user_id, session_id, occurred_at);
create index events_raw_ip on events (received_at) where ip is not null;

create table flags (
  id             text primary key,
  user_id        text not null,
  session_id     text,
  severity_rank  smallint not null,
  score          smallint not null,
  status         text not null default 'open',
  reasons        jsonb not null,
  location       jsonb,
  first_event_at timestamptz not null,
  last_event_at  timestamptz not null,
  event_count    int not null,
  resolution     jsonb,
  created_at     timestamptz not null,
  updated_at     timestamptz not null
);
create index flags_newest on flags (created_at desc, id desc);
create index flags_user on flags (user_id, created_at desc, id desc);

create table notices (
  id         text primary key,
  user_id    text not null,
  flag_id    text not null unique,
  content    jsonb not null,
  response   jsonb,
  created_at timestamptz not null
);
create index notices_user on notices (user_id, created_at desc, id desc);

-- Messages to publish after commit (transactional outbox); `message_id` lets consumers deduplicate.
create table outbox (
  seq        bigserial primary key,
  message_id text not null unique,
  topic      text not null,
  key        text not null,
  value      bytea not null,
  headers    jsonb not null default '{}',
  created_at timestamptz not null default now()
);

-- Append-only record of every trust-and-safety call.
create table audit_log (
  seq        bigserial primary key,
  at         timestamptz not null default now(),
  subject    text not null,
  action     text not null,
  target     text,
  status     int  not null,
  request_id text
);
