-- Detection state is the engine's JSON, written whole with every batch and never queried inside.
-- As json (validated text) it costs the database far less to take in and to give back than jsonb,
-- whose every number is parsed into a numeric; lz4 compresses the larger states faster than pglz.
alter table user_states alter column state type json using state::json;
alter table source_states alter column state type json using state::json;
alter table partition_states alter column state type json using state::json;

-- Builds without lz4 (PGlite) keep the default compression.
do $$ begin alter table user_states alter column state set compression lz4; alter table source_states alter column state set compression lz4; exception when feature_not_supported then null; end $$;
