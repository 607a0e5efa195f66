using System.Text.Json;
using Dapper;
using GmaiBench.Model;

namespace GmaiBench.Catalog;

/// <summary>The queries the build runs against the catalog, in one place.</summary>
public sealed class CatalogStore(CatalogDb db)
{
    private readonly Microsoft.Data.Sqlite.SqliteConnection _c = db.Connection;

    public long StartRun(string command, DateTimeOffset now) =>
        _c.ExecuteScalar<long>("INSERT INTO runs(started_utc, command) VALUES (@s, @c); SELECT last_insert_rowid();",
            new { s = now.UtcDateTime.ToString("O"), c = command });

    public void FinishRun(long id, DateTimeOffset now, string summary) =>
        _c.Execute("UPDATE runs SET finished_utc=@f, summary=@s WHERE id=@id", new { f = now.UtcDateTime.ToString("O"), s = summary, id });

    /// <summary>The stat cache: content hash by absolute path, with the size, modification time and inode it was read at.</summary>
    public Dictionary<string, FileHashRow> FileHashes() =>
        _c.Query<FileHashRow>("SELECT path, size, mtime_ticks AS Mtime, inode, sha256 AS Sha FROM file_hashes")
            .ToDictionary(r => r.Path, StringComparer.Ordinal);

    public void SaveFileHashes(IEnumerable<FileHashRow> rows)
    {
        using var tx = _c.BeginTransaction();
        foreach (var row in rows)
            _c.Execute("""
                INSERT INTO file_hashes(path,size,mtime_ticks,inode,sha256) VALUES(@Path,@Size,@Mtime,@Inode,@Sha)
                ON CONFLICT(path) DO UPDATE SET size=@Size, mtime_ticks=@Mtime, inode=@Inode, sha256=@Sha
                """, row, tx);
        tx.Commit();
    }

    /// <summary>Takes a shard's stat cache into this catalog, so hashing here costs one stat per file the shard read.</summary>
    public void ImportFileHashes(string shardCatalogPath) => WithAttached(shardCatalogPath, tx => _c.Execute("""
        INSERT INTO main.file_hashes(path,size,mtime_ticks,inode,sha256) SELECT path,size,mtime_ticks,inode,sha256 FROM shard.file_hashes WHERE true
        ON CONFLICT(path) DO UPDATE SET size=excluded.size, mtime_ticks=excluded.mtime_ticks, inode=excluded.inode, sha256=excluded.sha256;
        """, transaction: tx));

    /// <summary>
    /// Takes a shard's pixel work into this catalog for the items in <paramref name="wanted"/> whose fingerprint there is the
    /// one given (outcome, cases and case rejects), replacing what this catalog held for them.
    /// </summary>
    public void ImportShardWork(string shardCatalogPath, IReadOnlyCollection<(string Key, string Fingerprint)> wanted) =>
        WithAttached(shardCatalogPath, tx =>
        {
            _c.Execute("CREATE TEMP TABLE IF NOT EXISTS shard_wanted(key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL); DELETE FROM shard_wanted;", transaction: tx);
            foreach (var (key, fingerprint) in wanted)
                _c.Execute("INSERT OR REPLACE INTO shard_wanted(key, fingerprint) VALUES(@key, @fingerprint)", new { key, fingerprint }, tx);
            _c.Execute("""
                CREATE TEMP TABLE IF NOT EXISTS shard_items(key TEXT PRIMARY KEY); DELETE FROM shard_items;
                INSERT INTO shard_items(key) SELECT r.item_key FROM shard.stage_results r JOIN shard_wanted w ON w.key = r.item_key AND w.fingerprint = r.fingerprint;
                """, transaction: tx);
            _c.Execute("""
                DELETE FROM main.stage_results WHERE item_key IN (SELECT key FROM shard_items);
                DELETE FROM main.cases WHERE item_key IN (SELECT key FROM shard_items);
                DELETE FROM main.stage_rejects WHERE item_key IN (SELECT key FROM shard_items);
                INSERT INTO main.stage_results(item_key,stage,fingerprint,status,reason,message)
                    SELECT item_key,stage,fingerprint,status,reason,message FROM shard.stage_results WHERE item_key IN (SELECT key FROM shard_items);
                INSERT INTO main.cases(key,item_key,source_id,granularity,original_task,image_sha,width,height,region,raw_labels,group_key,phash,contrast)
                    SELECT key,item_key,source_id,granularity,original_task,image_sha,width,height,region,raw_labels,group_key,phash,contrast
                    FROM shard.cases WHERE item_key IN (SELECT key FROM shard_items);
                INSERT INTO main.stage_rejects(item_key,key,source_id,path,stage,reason,message)
                    SELECT item_key,key,source_id,path,stage,reason,message FROM shard.stage_rejects WHERE item_key IN (SELECT key FROM shard_items);
                """, transaction: tx);
        });

    private void WithAttached(string path, Action<System.Data.IDbTransaction> work)
    {
        _c.Execute("ATTACH DATABASE @path AS shard", new { path });
        try
        {
            using var tx = _c.BeginTransaction();
            work(tx);
            tx.Commit();
        }
        finally
        {
            _c.Execute("DETACH DATABASE shard");
        }
    }

    /// <summary>
    /// Replaces the item list; items no longer discovered lose their stage results and cases, except those of
    /// <paramref name="keepSources"/> (sources skipped this run for a configuration error), so fixing the entry
    /// later decodes nothing again.
    /// </summary>
    public void SyncItems(IReadOnlyList<(SourceItem Item, string ContentHash)> items, IReadOnlyCollection<string> keepSources)
    {
        using var tx = _c.BeginTransaction();
        _c.Execute("CREATE TEMP TABLE IF NOT EXISTS current_items(key TEXT PRIMARY KEY); DELETE FROM current_items;", transaction: tx);
        foreach (var k in _c.Query<string>("SELECT key FROM items WHERE source_id IN @keepSources", new { keepSources }, tx))
            _c.Execute("INSERT OR IGNORE INTO current_items(key) VALUES(@k)", new { k }, tx);
        foreach (var (item, contentHash) in items)
        {
            var i = new
            {
                item.Key, item.SourceId, RelPath = item.RelativePath, ContentHash = contentHash,
                RawLabels = StringLists.ToJson(item.RawLabels), item.GroupKey,
            };
            _c.Execute("INSERT INTO current_items(key) VALUES(@Key)", i, tx);
            _c.Execute("""
                INSERT INTO items(key,source_id,rel_path,content_hash,raw_labels,group_key) VALUES(@Key,@SourceId,@RelPath,@ContentHash,@RawLabels,@GroupKey)
                ON CONFLICT(key) DO UPDATE SET source_id=@SourceId, rel_path=@RelPath, content_hash=@ContentHash, raw_labels=@RawLabels, group_key=@GroupKey
                """, i, tx);
        }
        _c.Execute("DELETE FROM stage_results WHERE item_key NOT IN (SELECT key FROM current_items)", transaction: tx);
        _c.Execute("DELETE FROM cases WHERE item_key NOT IN (SELECT key FROM current_items)", transaction: tx);
        _c.Execute("DELETE FROM stage_rejects WHERE item_key NOT IN (SELECT key FROM current_items)", transaction: tx);
        _c.Execute("DELETE FROM items WHERE key NOT IN (SELECT key FROM current_items)", transaction: tx);
        tx.Commit();
    }

    /// <summary>The one stage row per item: every pixel stage records under this name.</summary>
    private const string PixelStage = "pixels";

    /// <summary>The pixel stage's last outcome per item key.</summary>
    public Dictionary<string, StageResult> StageResults() =>
        _c.Query<StageResultRow>("SELECT item_key AS ItemKey, stage, fingerprint, status, reason, message FROM stage_results WHERE stage=@stage", new { stage = PixelStage })
            .ToDictionary(r => r.ItemKey, r => r.ToModel(), StringComparer.Ordinal);

    /// <summary>Records per-item stage outcomes and replaces each item's cases and case rejects, atomically.</summary>
    public void SaveStageResults(IEnumerable<ItemOutcome> outcomes)
    {
        using var tx = _c.BeginTransaction();
        foreach (var (result, cases, caseRejects) in outcomes)
        {
            var r = new { result.ItemKey, Stage = PixelStage, result.Fingerprint, result.Status, result.Reason, result.Message };
            _c.Execute("""
                INSERT INTO stage_results(item_key,stage,fingerprint,status,reason,message) VALUES(@ItemKey,@Stage,@Fingerprint,@Status,@Reason,@Message)
                ON CONFLICT(item_key,stage) DO UPDATE SET fingerprint=@Fingerprint, status=@Status, reason=@Reason, message=@Message
                """, r, tx);
            _c.Execute("DELETE FROM cases WHERE item_key=@ItemKey", r, tx);
            _c.Execute("DELETE FROM stage_rejects WHERE item_key=@ItemKey", r, tx);
            foreach (var c in cases)
                _c.Execute("""
                    INSERT INTO cases(key,item_key,source_id,granularity,original_task,image_sha,width,height,region,raw_labels,group_key,phash,contrast)
                    VALUES(@Key,@ItemKey,@SourceId,@Granularity,@OriginalTask,@ImageSha,@Width,@Height,@Region,@RawLabels,@GroupKey,@Phash,@Contrast)
                    """, CaseRow.Of(c), tx);
            foreach (var x in caseRejects)
                _c.Execute("INSERT INTO stage_rejects(item_key,key,source_id,path,stage,reason,message) VALUES(@ItemKey,@Key,@SourceId,@Path,@Stage,@Reason,@Message)",
                    new { x.ItemKey, x.Key, x.SourceId, x.Path, x.Stage, x.Reason, x.Message }, tx);
        }
        tx.Commit();
    }

    /// <summary>Cases a pixel stage rejected (a target too small, outside the image), kept with the stage's outcome.</summary>
    public List<Reject> StageRejects() =>
        _c.Query<(string ItemKey, string Key, string SourceId, string Path, string Stage, string Reason, string Message)>(
                "SELECT item_key, key, source_id, path, stage, reason, message FROM stage_rejects ORDER BY key")
            .Select(r => new Reject(r.Key, r.SourceId, r.Path, r.Stage, r.Reason, r.Message, r.ItemKey)).ToList();

    public List<Case> Cases() =>
        _c.Query<CaseRow>("""
            SELECT key, item_key AS ItemKey, source_id AS SourceId, granularity, original_task AS OriginalTask, image_sha AS ImageSha,
                   width, height, region, raw_labels AS RawLabels, group_key AS GroupKey, phash, contrast
            FROM cases ORDER BY key
            """).Select(r => r.ToModel()).ToList();

    /// <summary>Writes the tags of every case (labels, task, departments, modality); untagged cases get nulls.</summary>
    public void SaveTags(IReadOnlyList<TaggedCase> tagged)
    {
        using var tx = _c.BeginTransaction();
        _c.Execute("UPDATE cases SET labels=NULL, task=NULL, departments=NULL, modality=NULL", transaction: tx);
        foreach (var t in tagged)
            _c.Execute("UPDATE cases SET labels=@l, task=@t, departments=@d, modality=@m WHERE key=@k",
                new { l = StringLists.ToJson(t.Labels), t = t.Task, d = StringLists.ToJson(t.Departments), m = t.Modality, k = t.Key }, tx);
        tx.Commit();
    }

    public void SaveQuestions(IReadOnlyList<Question> questions)
    {
        using var tx = _c.BeginTransaction();
        _c.Execute("DELETE FROM questions", transaction: tx);
        foreach (var q in questions)
            _c.Execute("""
                INSERT INTO questions(key,idx,case_key,source_id,image_sha,question,options,answer,labels,category,task,department,departments,
                                      granularity,modality,original_task,split,group_key,pool,multi,item_key,option_labels,task_name)
                VALUES(@key,@idx,@case_key,@source_id,@image_sha,@question,@options,@answer,@labels,@category,@task,@department,@departments,
                       @granularity,@modality,@original_task,@split,@group_key,@pool,@multi,@item_key,@option_labels,@task_name)
                """, new
            {
                item_key = q.Case.ItemKey, option_labels = StringLists.ToJson(q.OptionLabels), task_name = q.TaskName,
                key = q.Key, idx = q.Index, case_key = q.Case.Key, source_id = q.Case.SourceId, image_sha = q.Case.ImageSha,
                question = q.Text, options = StringLists.ToJson(q.Options), answer = q.Answer,
                labels = StringLists.ToJson(q.AnswerLabels), category = q.Category, task = q.Case.Task, department = q.DepartmentName,
                departments = StringLists.ToJson(q.Case.Departments), granularity = q.Case.Granularity.Text(), modality = q.Case.Modality,
                original_task = q.Case.OriginalTask, split = q.Split, group_key = q.Case.GroupKey, pool = q.Pool, multi = q.Multi ? 1 : 0,
            }, tx);
        tx.Commit();
    }

    /// <summary>The questions of the last build, as it emitted them (index order).</summary>
    public List<Question> Questions()
    {
        var rows = _c.Query("""
            SELECT key, idx, case_key, source_id, image_sha, question, options, answer, labels, category, task, department, departments,
                   granularity, modality, original_task, split, group_key, pool, item_key, option_labels, task_name
            FROM questions ORDER BY idx
            """);
        var list = new List<Question>();
        foreach (var r in rows)
        {
            List<string> Json(object v) => StringLists.FromJson((string)v);
            var labels = Json(r.labels);
            list.Add(new Question
            {
                Key = r.key, Index = (int)(long)r.idx,
                Case = new TaggedCase
                {
                    Key = r.case_key, ItemKey = r.item_key, SourceId = r.source_id, ImageSha = r.image_sha, Granularity = GranularityNames.Parse((string)r.granularity),
                    OriginalTask = r.original_task, GroupKey = r.group_key, Labels = labels, Task = r.task, Departments = Json(r.departments), Modality = r.modality,
                },
                Text = r.question, Options = Json(r.options), OptionLabels = Json(r.option_labels), Answer = r.answer, AnswerLabels = labels,
                Category = r.category, TaskName = r.task_name, DepartmentName = r.department, Split = r.split, Pool = r.pool,
            });
        }
        return list;
    }

    /// <summary>The region record (JSON) of every case that has one, by case key.</summary>
    public Dictionary<string, string> CaseRegions() =>
        _c.Query<(string Key, string Region)>("SELECT key, region FROM cases WHERE region IS NOT NULL")
            .ToDictionary(r => r.Key, r => r.Region, StringComparer.Ordinal);

    /// <summary>
    /// The unmarked image of each input (item key -> image sha): the first case's image, or for a marked case the base
    /// image its region record names.
    /// </summary>
    public Dictionary<string, string> ItemImages()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (item, sha, region) in _c.Query<(string, string, string?)>("SELECT item_key, image_sha, region FROM cases ORDER BY key"))
        {
            if (result.ContainsKey(item)) continue;
            var image = sha;
            if (region is not null)
            {
                using var doc = JsonDocument.Parse(region);
                if (doc.RootElement.TryGetProperty("BaseImage", out var b) && b.ValueKind == JsonValueKind.String) image = b.GetString()!;
            }
            result[item] = image;
        }
        return result;
    }

    public void SaveRejects(IReadOnlyList<Reject> rejects)
    {
        using var tx = _c.BeginTransaction();
        _c.Execute("DELETE FROM rejects", transaction: tx);
        foreach (var r in rejects)
            _c.Execute("INSERT INTO rejects(key,source_id,path,stage,reason,message) VALUES(@Key,@SourceId,@Path,@Stage,@Reason,@Message)", r, tx);
        tx.Commit();
    }

    public void SetMeta(string key, string value) =>
        _c.Execute("INSERT INTO meta(key,value) VALUES(@key,@value) ON CONFLICT(key) DO UPDATE SET value=@value", new { key, value });

    public string? Meta(string key) => _c.ExecuteScalar<string?>("SELECT value FROM meta WHERE key=@key", new { key });
}
