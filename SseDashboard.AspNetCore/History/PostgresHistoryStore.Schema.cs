namespace SseDashboard.History;

public sealed partial class PostgresHistoryStore
{
    // (Re)writes event_id_base: ids from just above `after` (SQL), by transaction ids from the current one on.
    private static string IdsFrom(string after) => $$"""
        DO $do$ BEGIN
            EXECUTE format(
                'CREATE OR REPLACE FUNCTION event_id_base(xid XID8) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
                format('SELECT %s + (xid::text::bigint - %s) * {{IdsPerTransaction}}', {{after}}, pg_current_xact_id()::text::bigint));
        END $do$;

        """;

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE samples (id BIGINT PRIMARY KEY, topic TEXT NOT NULL, at BIGINT NOT NULL, payload TEXT NOT NULL);
        CREATE INDEX samples_topic_at ON samples (topic, at);
        CREATE INDEX samples_at ON samples (at);
        CREATE TABLE rollups (
            topic TEXT NOT NULL, field TEXT NOT NULL, minute BIGINT NOT NULL,
            n BIGINT NOT NULL, sum DOUBLE PRECISION NOT NULL, min DOUBLE PRECISION NOT NULL, max DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (topic, field, minute));
        CREATE TABLE log_lines (
            id BIGINT PRIMARY KEY, event_id BIGINT NOT NULL, at BIGINT NOT NULL, file TEXT, kind TEXT NOT NULL,
            level TEXT, text TEXT, flags BIGINT NOT NULL DEFAULT 0, error TEXT, skipped BIGINT,
            search TSVECTOR GENERATED ALWAYS AS (
                to_tsvector('simple', regexp_replace(COALESCE(text, ''), '[^[:alnum:]]+', ' ', 'g'))) STORED);
        CREATE INDEX log_lines_at ON log_lines (at);
        CREATE INDEX log_lines_search ON log_lines USING GIN (search);
        CREATE TABLE file_positions (
            device BIGINT NOT NULL, inode BIGINT NOT NULL, path TEXT NOT NULL, "offset" BIGINT NOT NULL,
            PRIMARY KEY (device, inode));
        CREATE TABLE store_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
        INSERT INTO store_state (name, value) VALUES ('log_lines', 0), ('log_trimmed_up_to', 0);
        """,
        // 2: a fleet. Rows say which host; rollups and file positions are per host; ids come from one counter taken
        // under a lock held to commit (see WriteAsync), going on from the ids already stored; fleet_writes remembers
        // each writer's batches, so one retried after a lost commit reply is not stored twice; hosts, each host's role
        // and when it last wrote.
        """
        ALTER TABLE samples ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE log_lines ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE rollups ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE rollups DROP CONSTRAINT rollups_pkey;
        ALTER TABLE rollups ADD PRIMARY KEY (topic, host, field, minute);
        ALTER TABLE file_positions ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE file_positions DROP CONSTRAINT file_positions_pkey;
        ALTER TABLE file_positions ADD PRIMARY KEY (host, device, inode);
        INSERT INTO store_state (name, value) SELECT 'last_id', GREATEST(
            (SELECT COALESCE(MAX(id), 0) FROM samples), (SELECT COALESCE(MAX(id), 0) FROM log_lines),
            CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT));
        CREATE TABLE fleet_writes (
            host TEXT NOT NULL, run TEXT NOT NULL, batch BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (host, run, batch));
        CREATE INDEX fleet_writes_at ON fleet_writes (at);
        CREATE INDEX samples_topic_host_at ON samples (topic, host, at);
        CREATE TABLE hosts (host TEXT PRIMARY KEY, role TEXT NOT NULL, last_seen BIGINT NOT NULL, interval_ms BIGINT NOT NULL);
        """,
        // 3: structured entries (the app's own log): their message, fields, exception, category and trace id as JSON.
        "ALTER TABLE log_lines ADD COLUMN extra TEXT;",
        // 4: search reads an entry's fields (as key=value) and exception beside its text. A generated column may call
        // only an immutable function: this one, which reads the extras' JSON. Entries by field: a GIN index of them.
        """
        CREATE FUNCTION log_search_document(line TEXT, extra TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT COALESCE(line, '')
                || COALESCE(' ' || (SELECT string_agg(key || '=' || value, ' ') FROM jsonb_each_text(extra::jsonb -> 'fields')), '')
                || COALESCE(' ' || (extra::jsonb ->> 'exception'), '')
        $$;
        ALTER TABLE log_lines DROP COLUMN search;
        ALTER TABLE log_lines ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
            to_tsvector('simple', regexp_replace(log_search_document(text, extra), '[^[:alnum:]]+', ' ', 'g'))) STORED;
        CREATE INDEX log_lines_search ON log_lines USING GIN (search);
        CREATE INDEX log_lines_fields ON log_lines USING GIN (((extra::jsonb) -> 'fields') jsonb_path_ops) WHERE extra IS NOT NULL;
        """,
        // 5: a fleet's security state, which every dashboard node must see alike: Data Protection's key ring (session
        // cookies and embed tokens made on one node open on every other), and the access list, a row per entry, so
        // nodes writing at once never drop one another's (see Auth/PostgresAccessStore).
        """
        CREATE TABLE data_protection_keys (id TEXT PRIMARY KEY, xml TEXT NOT NULL, stored_at BIGINT NOT NULL);
        CREATE TABLE embed_tokens (
            id TEXT PRIMARY KEY, panels TEXT[] NOT NULL, origins TEXT[] NOT NULL,
            created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT);
        CREATE INDEX embed_tokens_revoked ON embed_tokens (expires_at) WHERE revoked_at IS NOT NULL;
        CREATE TABLE revoked_sessions (id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
        """,
        // 6: alerts (see Alerts/AlertStore): what is active now, every change, and silences.
        """
        CREATE TABLE alert_states (
            rule TEXT NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL, since BIGINT NOT NULL, notified_at BIGINT,
            matches BIGINT NOT NULL DEFAULT 0, value DOUBLE PRECISION, summary TEXT NOT NULL, lines TEXT, PRIMARY KEY (rule, host));
        CREATE TABLE alert_changes (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, rule TEXT NOT NULL, host TEXT NOT NULL,
            state TEXT NOT NULL, summary TEXT NOT NULL, value DOUBLE PRECISION, matches BIGINT NOT NULL DEFAULT 0);
        CREATE INDEX alert_changes_at ON alert_changes (at);
        CREATE TABLE alert_silences (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, host TEXT, starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, created_by TEXT);
        """,
        // 7: ids without a lock. A write's ids follow from its transaction's id (event_id_base, IdsPerTransaction to a
        // transaction), so writers run side by side; a reader reads only below the oldest transaction still running
        // (pg_snapshot_xmin), where nothing can commit any more, so what it has read is final and resume gap-free. Ids
        // go on above those handed out before (the function is written with them, so the planner inlines it). A writer
        // of an older build, which would take the counter, is refused, not left storing nothing. Each write's first id,
        // by its time (a node that starts late begins there); lines counted per host (one row every writer updated held
        // them all in line).
        IdsFrom("(SELECT value FROM store_state WHERE name = 'last_id')") + """
        CREATE FUNCTION refuse_id_counter() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            RAISE EXCEPTION 'Since schema 7 this store numbers events by transaction: upgrade this SseDashboard, which takes ids from the counter.';
        END $$;
        CREATE TRIGGER id_counter_retired BEFORE UPDATE ON store_state FOR EACH ROW WHEN (OLD.name = 'last_id') EXECUTE FUNCTION refuse_id_counter();
        ALTER TABLE fleet_writes ADD COLUMN id_base BIGINT;
        CREATE TABLE line_counts (host TEXT PRIMARY KEY, lines BIGINT NOT NULL);
        INSERT INTO line_counts (host, lines) SELECT host, COUNT(*) FROM log_lines WHERE text IS NOT NULL GROUP BY host;
        """,
        // 8: the search document of every line, as schema 4 has it, in PL/pgSQL: a SQL function with a subquery is
        // never inlined, and running one per row stored was an eighth of PostgreSQL's CPU in a fleet; a plain line
        // (no extras) is its text.
        """
        CREATE OR REPLACE FUNCTION log_search_document(line TEXT, extra TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            IF extra IS NULL THEN
                RETURN COALESCE(line, '');
            END IF;
            RETURN COALESCE(line, '')
                || COALESCE(' ' || (SELECT string_agg(key || '=' || value, ' ') FROM jsonb_each_text(extra::jsonb -> 'fields')), '')
                || COALESCE(' ' || (extra::jsonb ->> 'exception'), '');
        END
        $$;
        """,
    ];
}
