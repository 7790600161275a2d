-- Counters of a partition's state kept one row each, so that a batch writes the few it changed
-- instead of rewriting the whole state (a population grows to ~36k counted values, ~0.5-1 MB).
create table partition_counters (
  group_id  text not null,
  topic     text not null,
  partition int  not null,
  kind      text not null,
  name      text not null,
  value     double precision not null,
  primary key (group_id, topic, partition, kind, name)
);
