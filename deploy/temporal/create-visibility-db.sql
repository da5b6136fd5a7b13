-- Runs once, when the temporal-postgresql data volume is initialised (docker-entrypoint-initdb.d).
-- The main database `temporal` is POSTGRES_DB; this adds the visibility database beside it.
CREATE DATABASE temporal_visibility;
