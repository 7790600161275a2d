-- A partition's population state is rewritten with every batch and grows to hundreds of KiB (the
-- engine bounds it at about 36k counted values): lz4 compresses it several times faster than pglz.
do $$ begin alter table partition_states alter column state set compression lz4; exception when feature_not_supported then null; end $$;
