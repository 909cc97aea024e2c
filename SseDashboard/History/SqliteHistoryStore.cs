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
    ];

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

    protected override Task IndexAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines) =>
        connection.ExecuteAsync("INSERT INTO log_search (rowid, text) VALUES (@Id, @Text)", lines, transaction);

    protected override Task UnindexAsync(DbConnection connection, DbTransaction transaction, long from, long to) =>
        connection.ExecuteAsync("DELETE FROM log_search WHERE rowid BETWEEN @from AND @to", new { from, to }, transaction);

    // Every word of the query, as a prefix: "conn time" finds "Connection timed out". Ordered by the index's rowid, FTS5
    // walks its matches newest first and stops at the limit instead of sorting them all.
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
