using System.Data.Common;
using Dapper;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace SseDashboard.History;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), log search by an FTS5 index of
/// the lines' words (contentless: the text is kept once, in <c>log_lines</c>).
/// </summary>
public sealed class SqliteHistoryStore(string connectionString) : HistoryStore
{
    private static readonly string[] Schema =
    [
        """
        CREATE TABLE samples (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, at INTEGER NOT NULL, payload TEXT NOT NULL);
        CREATE INDEX samples_topic_at ON samples (topic, at);
        CREATE INDEX samples_at ON samples (at);
        CREATE TABLE rollups (
            topic TEXT NOT NULL, field TEXT NOT NULL, minute INTEGER NOT NULL,
            n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
            PRIMARY KEY (topic, field, minute)) WITHOUT ROWID;
        CREATE TABLE log_lines (
            id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, at INTEGER NOT NULL, file TEXT, kind TEXT NOT NULL,
            level TEXT, text TEXT, flags INTEGER NOT NULL DEFAULT 0, error TEXT, skipped INTEGER);
        CREATE INDEX log_lines_at ON log_lines (at);
        CREATE VIRTUAL TABLE log_search USING fts5 (text, content = '', contentless_delete = 1);
        CREATE TABLE file_positions (
            device INTEGER NOT NULL, inode INTEGER NOT NULL, path TEXT NOT NULL, "offset" INTEGER NOT NULL,
            PRIMARY KEY (device, inode)) WITHOUT ROWID;
        CREATE TABLE store_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO store_state (name, value) VALUES ('log_lines', 0), ('log_trimmed_up_to', 0);
        """,
        // 2: hosts. Rows of one host's events say which; rollups and file positions are per host; each host's role
        // and when it last wrote.
        """
        ALTER TABLE samples ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE log_lines ADD COLUMN host TEXT NOT NULL DEFAULT '';
        CREATE TABLE rollups_by_host (
            topic TEXT NOT NULL, host TEXT NOT NULL, field TEXT NOT NULL, minute INTEGER NOT NULL,
            n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
            PRIMARY KEY (topic, host, field, minute)) WITHOUT ROWID;
        INSERT INTO rollups_by_host SELECT topic, '', field, minute, n, sum, min, max FROM rollups;
        DROP TABLE rollups;
        ALTER TABLE rollups_by_host RENAME TO rollups;
        CREATE TABLE file_positions_by_host (
            host TEXT NOT NULL, device INTEGER NOT NULL, inode INTEGER NOT NULL, path TEXT NOT NULL, "offset" INTEGER NOT NULL,
            PRIMARY KEY (host, device, inode)) WITHOUT ROWID;
        INSERT INTO file_positions_by_host SELECT '', device, inode, path, "offset" FROM file_positions;
        DROP TABLE file_positions;
        ALTER TABLE file_positions_by_host RENAME TO file_positions;
        CREATE INDEX samples_topic_host_at ON samples (topic, host, at);
        CREATE TABLE hosts (host TEXT PRIMARY KEY, role TEXT NOT NULL, last_seen INTEGER NOT NULL, interval_ms INTEGER NOT NULL);
        """,
        // 3: structured entries (the app's own log): their message, fields, exception, category and trace id as JSON.
        "ALTER TABLE log_lines ADD COLUMN extra TEXT;",
        // 4: search reads an entry's fields (as key=value) and exception beside its text: the entries stored so far again.
        $"""
        DELETE FROM log_search WHERE rowid IN (SELECT id FROM log_lines WHERE extra IS NOT NULL AND text IS NOT NULL);
        INSERT INTO log_search (rowid, text) SELECT id, {SearchDocument} FROM log_lines WHERE extra IS NOT NULL AND text IS NOT NULL;
        """,
        // 5: alerts (see Alerts/AlertStore): what is active now, every change, and silences.
        """
        CREATE TABLE alert_states (
            rule TEXT NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL, since INTEGER NOT NULL, notified_at INTEGER,
            matches INTEGER NOT NULL DEFAULT 0, value REAL, summary TEXT NOT NULL, lines TEXT, PRIMARY KEY (rule, host));
        CREATE TABLE alert_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, rule TEXT NOT NULL, host TEXT NOT NULL,
            state TEXT NOT NULL, summary TEXT NOT NULL, value REAL, matches INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX alert_changes_at ON alert_changes (at);
        CREATE TABLE alert_silences (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, host TEXT, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, created_by TEXT);
        """,
    ];

    /// <summary>What search reads of a line: its text, then an entry's fields as key=value and its exception.</summary>
    private const string SearchDocument =
        "text || COALESCE(' ' || (SELECT group_concat(key || '=' || value, ' ') FROM json_each(extra, '$.fields')), '')"
        + " || COALESCE(' ' || json_extract(extra, '$.exception'), '')";

    private readonly string _connectionString = Prepare(connectionString);

    public override StoreProvider Provider => StoreProvider.Sqlite;

    protected override IReadOnlyList<string> Migrations => Schema;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // WAL persists in the file; synchronous=NORMAL is per connection (safe in WAL: a crash loses at most the last commits).
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    // One prepared statement, its parameters set for each row in turn (SQLite's own advice for bulk inserts): Dapper
    // would make the parameters afresh for every row.
    protected override async Task InsertLinesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO log_lines (id, event_id, at, file, kind, level, text, flags, error, skipped, host, extra)
            VALUES ($id, $event_id, $at, $file, $kind, $level, $text, $flags, $error, $skipped, $host, $extra)
            """;
        var parameters = new[] { "$id", "$event_id", "$at", "$file", "$kind", "$level", "$text", "$flags", "$error", "$skipped", "$host", "$extra" }
            .Select(name =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
                return parameter;
            })
            .ToArray();
        command.Prepare();
        foreach (var line in lines)
        {
            parameters[0].Value = line.Id;
            parameters[1].Value = line.EventId;
            parameters[2].Value = line.At;
            parameters[3].Value = (object?)line.File ?? DBNull.Value;
            parameters[4].Value = line.Kind;
            parameters[5].Value = (object?)line.Level ?? DBNull.Value;
            parameters[6].Value = (object?)line.Text ?? DBNull.Value;
            parameters[7].Value = line.Flags;
            parameters[8].Value = (object?)line.Error ?? DBNull.Value;
            parameters[9].Value = (object?)line.Skipped ?? DBNull.Value;
            parameters[10].Value = line.Host;
            parameters[11].Value = (object?)line.Extra ?? DBNull.Value;
            await command.ExecuteNonQueryAsync();
        }
    }

    // One statement for the batch, reading the rows just inserted: no parameters bound per line.
    protected override Task IndexAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines) =>
        connection.ExecuteAsync(
            $"INSERT INTO log_search (rowid, text) SELECT id, {SearchDocument} FROM log_lines WHERE id BETWEEN @first AND @last AND text IS NOT NULL",
            new { first = lines[0].Id, last = lines[^1].Id },
            transaction);

    protected override Task UnindexAsync(DbConnection connection, DbTransaction transaction, long from, long to) =>
        connection.ExecuteAsync("DELETE FROM log_search WHERE rowid BETWEEN @from AND @to", new { from, to }, transaction);

    // Every word of the query, as a prefix: "conn time" finds "Connection timed out". Ordered by the index's rowid, FTS5
    // walks its matches newest first and stops at the limit instead of sorting them all.
    // The value as JSON writes it (42, true, a string's text) against what was asked for; the key by its name, as given.
    protected override string FieldEquals(string name, string key, string value, DynamicParameters parameters)
    {
        parameters.Add($"{name}key", key);
        parameters.Add(name, value);
        return $"EXISTS (SELECT 1 FROM json_each(l.extra, '$.fields') f WHERE f.key = @{name}key"
            + $" AND (CASE f.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(f.value AS TEXT) END) = @{name})";
    }

    protected override (string From, string Where, object Text, string OrderBy) Search(string text) =>
        ("log_search s JOIN log_lines l ON l.id = s.rowid", "log_search MATCH @text", SearchTerms.Fts5(text), "s.rowid");

    private static string Prepare(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.DataSource is { Length: > 0 } file && !file.Equals(":memory:", StringComparison.Ordinal) && Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        return builder.ConnectionString;
    }
}

/// <summary>A search box's text as each engine's query: words, all required, each also matching as a prefix.</summary>
public static partial class SearchTerms
{
    /// <summary>Whether the text has a letter or digit: a search for punctuation alone finds nothing.</summary>
    public static bool HasWords(string text) => Tokens().IsMatch(text);

    public static IReadOnlyList<string> Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>FTS5: each word a quoted string (so no word is read as an operator), with a prefix star.</summary>
    public static string Fts5(string text) =>
        string.Join(" ", Words(text).Select(w => $"\"{w.Replace("\"", "\"\"", StringComparison.Ordinal)}\"*"));

    /// <summary>
    /// PostgreSQL: each word's letter-and-digit runs in a row (<c>db-1</c> is <c>db</c> then <c>1</c>, as FTS5 reads a
    /// quoted word), the last as a prefix, every word required.
    /// </summary>
    public static string TsQuery(string text) =>
        string.Join(" & ", Words(text)
            .Select(w => Tokens().Matches(w).Select(m => $"'{m.Value}'").ToList())
            .Where(tokens => tokens.Count > 0)
            .Select(tokens => string.Join(" <-> ", tokens) + ":*"));

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Tokens();
}
