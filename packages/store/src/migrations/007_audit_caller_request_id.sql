-- The request id the caller sent (X-Request-Id), bounded, beside Vigil's own in request_id.
alter table audit_log add column caller_request_id text;
