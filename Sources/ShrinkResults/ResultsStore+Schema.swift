import GRDB

extension ResultsStore {
    /// `PRAGMA application_id` of a Shrink results database ("SHRK"): tells it apart from other
    /// SQLite files.
    static let applicationID: Int32 = 0x5348_524B

    /// The schema version this Shrink writes (`PRAGMA user_version`); one per migration.
    public static let schemaVersion = 3

    /// The schema, one migration per version. Never edit a shipped migration: add the next one
    /// (a database from an older Shrink is upgraded in place when opened for writing; one from a
    /// newer Shrink is refused).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-latencies-steps") { db in
            // One row per recorded run; headline figures as typed columns (NULL when not measured).
            try db.execute(sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('bench', 'compress')),
                    recorded_at TEXT NOT NULL,
                    variant TEXT NOT NULL,
                    model_path TEXT NOT NULL,
                    model_sha256 TEXT NOT NULL,
                    architecture TEXT NOT NULL,
                    code_version TEXT NOT NULL,
                    cpu_model TEXT NOT NULL,
                    logical_cores INTEGER NOT NULL,
                    memory_bytes INTEGER NOT NULL,
                    operating_system TEXT NOT NULL,
                    kernel_path TEXT NOT NULL,
                    host_name TEXT NOT NULL,
                    shard TEXT,
                    recipe TEXT,
                    dataset TEXT,
                    file_bytes INTEGER,
                    gzip_bytes INTEGER,
                    parameters INTEGER,
                    non_zero INTEGER,
                    load_seconds REAL,
                    peak_resident_bytes INTEGER,
                    top1 REAL,
                    top5 REAL,
                    macro_f1 REAL,
                    modelled_joules REAL,
                    measured_joules REAL,
                    compression_seconds REAL,
                    accuracy_before REAL,
                    accuracy_after REAL,
                    record_schema_version INTEGER NOT NULL,
                    parameters_json TEXT NOT NULL,
                    record_json TEXT NOT NULL
                );
                CREATE INDEX runs_recorded_at ON runs (recorded_at);
                CREATE INDEX runs_variant ON runs (variant);
                CREATE TABLE latencies (
                    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    batch_size INTEGER NOT NULL,
                    median_seconds REAL NOT NULL,
                    p5_seconds REAL NOT NULL,
                    p95_seconds REAL NOT NULL,
                    runs INTEGER NOT NULL,
                    samples_per_second REAL NOT NULL,
                    PRIMARY KEY (run_id, batch_size)
                );
                CREATE TABLE compression_steps (
                    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    step_index INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    seconds REAL NOT NULL,
                    PRIMARY KEY (run_id, step_index)
                );
                """)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration("v2-tuning-evaluations") { db in
            // One row per candidate a `shrink tune` search measured as a written file, keyed by
            // the search's measurement settings (model, data, fine-tuning, seed) and the
            // candidate, so a resumed or sharded search reuses it (`ResultsStore+Tuning.swift`).
            try db.execute(sql: """
                CREATE TABLE tuning_evaluations (
                    search_key TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    model TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    shard TEXT,
                    host_name TEXT NOT NULL,
                    code_version TEXT NOT NULL,
                    file_bytes INTEGER NOT NULL,
                    validation_top1 REAL NOT NULL,
                    latency_seconds REAL,
                    compression_seconds REAL NOT NULL,
                    search_json TEXT NOT NULL,
                    evaluation_json TEXT NOT NULL,
                    PRIMARY KEY (search_key, signature)
                );
                """)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        migrator.registerMigration("v3-tuning-sensitivities") { db in
            // The sensitivity analysis a `shrink tune` search starts from, per search and sweep,
            // so a resumed search and the later rounds of a sharded one read it instead of
            // measuring it again (`ResultsStore+Sensitivity.swift`).
            try db.execute(sql: """
                CREATE TABLE tuning_sensitivities (
                    search_key TEXT NOT NULL,
                    configuration_key TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    model TEXT NOT NULL,
                    host_name TEXT NOT NULL,
                    code_version TEXT NOT NULL,
                    configuration_json TEXT NOT NULL,
                    report_json TEXT NOT NULL,
                    PRIMARY KEY (search_key, configuration_key)
                );
                """)
            try db.execute(sql: "PRAGMA user_version = 3")
        }
        return migrator
    }

    /// Refuses files that are not Shrink results databases or come from a newer Shrink, then
    /// brings an older (or new, empty) one up to date when `writable`.
    static func prepare(_ queue: DatabaseQueue, path: String, writable: Bool) throws {
        let migrator = Self.migrator
        let isCurrent: Bool = try queue.read { db in
            // A damaged file fails here with SQLITE_CORRUPT or SQLITE_NOTADB, not later.
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard check == ["ok"] else {
                throw ResultsError.notADatabase(path: path, reason: "integrity check failed: \(check.prefix(3).joined(separator: "; "))")
            }
            let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let userTables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                """)
            // A new, empty file becomes ours; anything else must carry our application id.
            if applicationID != Self.applicationID, !userTables.isEmpty || !writable {
                throw ResultsError.foreignDatabase(path: path)
            }
            if try migrator.hasBeenSuperseded(db) {
                let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                throw ResultsError.newerSchema(path: path, unknownMigrations: unknown)
            }
            let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            if userVersion > Self.schemaVersion {
                throw ResultsError.newerSchema(path: path, unknownMigrations: ["user_version \(userVersion)"])
            }
            return try migrator.hasCompletedMigrations(db)
        }
        if isCurrent { return }
        guard writable else {
            throw ResultsError.database(path: path, reason: "written by an older Shrink; open it for writing once (e.g. as the output of shrink results merge) to upgrade it")
        }
        try queue.write { db in
            if try Int32.fetchOne(db, sql: "PRAGMA application_id") != Self.applicationID {
                try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
            }
        }
        try migrator.migrate(queue)
    }
}
