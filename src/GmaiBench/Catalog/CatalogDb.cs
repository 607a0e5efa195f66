using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace GmaiBench.Catalog;

/// <summary>
/// The build catalog: SQLite in WAL mode with versioned migrations (PRAGMA user_version). Holds items,
/// per-item stage results keyed by fingerprint, cases with their tags, questions, rejects and runs.
/// </summary>
public sealed class CatalogDb : IDisposable
{
    /// <summary>Migrations in order; migration i brings the schema from version i to i+1. Never edit a landed one.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, started_utc TEXT NOT NULL, finished_utc TEXT, command TEXT NOT NULL, summary TEXT);
        CREATE TABLE file_hashes(path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ticks INTEGER NOT NULL, sha256 TEXT NOT NULL);
        CREATE TABLE items(key TEXT PRIMARY KEY, source_id TEXT NOT NULL, rel_path TEXT NOT NULL, content_hash TEXT NOT NULL,
                           raw_labels TEXT NOT NULL, group_key TEXT NOT NULL);
        CREATE INDEX items_source ON items(source_id);
        CREATE TABLE stage_results(item_key TEXT NOT NULL, stage TEXT NOT NULL, fingerprint TEXT NOT NULL, status TEXT NOT NULL,
                                   reason TEXT, message TEXT, PRIMARY KEY(item_key, stage));
        CREATE TABLE cases(key TEXT PRIMARY KEY, item_key TEXT NOT NULL, source_id TEXT NOT NULL, granularity TEXT NOT NULL,
                           original_task TEXT NOT NULL, image_sha TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
                           region TEXT, raw_labels TEXT NOT NULL, group_key TEXT NOT NULL,
                           labels TEXT, task TEXT, departments TEXT, modality TEXT);
        CREATE INDEX cases_item ON cases(item_key);
        CREATE TABLE rejects(key TEXT NOT NULL, source_id TEXT NOT NULL, path TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL);
        CREATE TABLE questions(key TEXT PRIMARY KEY, idx INTEGER NOT NULL, case_key TEXT NOT NULL, source_id TEXT NOT NULL, image_sha TEXT NOT NULL,
                               question TEXT NOT NULL, options TEXT NOT NULL, answer TEXT NOT NULL, labels TEXT NOT NULL, category TEXT NOT NULL,
                               task TEXT NOT NULL, department TEXT NOT NULL, departments TEXT NOT NULL, granularity TEXT NOT NULL, modality TEXT NOT NULL,
                               original_task TEXT NOT NULL, split TEXT NOT NULL, group_key TEXT NOT NULL, pool TEXT NOT NULL, multi INTEGER NOT NULL);
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
        // 2: questions carry what is needed to re-emit them without the build (subsets, releases).
        """
        ALTER TABLE questions ADD COLUMN item_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE questions ADD COLUMN option_labels TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE questions ADD COLUMN task_name TEXT NOT NULL DEFAULT '';
        """,
        // 3: one pixel-stage row per item whatever its stage, and the cases a stage rejected.
        """
        UPDATE stage_results SET stage = 'pixels' WHERE stage = 'raster';
        CREATE TABLE stage_rejects(item_key TEXT NOT NULL, key TEXT NOT NULL, source_id TEXT NOT NULL, path TEXT NOT NULL,
                                   stage TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL);
        CREATE INDEX stage_rejects_item ON stage_rejects(item_key);
        """,
        // 4: per-case perceptual hash of the unmarked image and its contrast, for curation without pixels.
        """
        ALTER TABLE cases ADD COLUMN phash TEXT;
        ALTER TABLE cases ADD COLUMN contrast REAL;
        """,
        // 5: the stat cache compares the inode too (a file replaced by another of equal size and time is re-read).
        """
        ALTER TABLE file_hashes ADD COLUMN inode INTEGER NOT NULL DEFAULT -1;
        """,
    ];

    public SqliteConnection Connection { get; }
    public string Path { get; }

    public static int SchemaVersion => Migrations.Length;

    private CatalogDb(SqliteConnection connection, string path)
    {
        Connection = connection;
        Path = path;
    }

    public static CatalogDb Open(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        connection.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        var db = new CatalogDb(connection, path);
        db.Migrate();
        return db;
    }

    private void Migrate()
    {
        var version = Connection.ExecuteScalar<long>("PRAGMA user_version");
        if (version > Migrations.Length)
            throw new InvalidOperationException($"catalog {Path} has schema version {version}, newer than this tool's {Migrations.Length}; use a newer gmai");
        for (var v = (int)version; v < Migrations.Length; v++)
        {
            using var tx = Connection.BeginTransaction();
            Connection.Execute(Migrations[v], transaction: tx);
            Connection.Execute($"PRAGMA user_version = {v + 1}", transaction: tx);
            tx.Commit();
        }
    }

    public IDbTransaction Begin() => Connection.BeginTransaction();

    public void Dispose()
    {
        Connection.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
