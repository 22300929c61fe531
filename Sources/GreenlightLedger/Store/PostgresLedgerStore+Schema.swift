extension PostgresLedgerStore {
    /// One change of the schema, applied once per database and recorded by name in
    /// `greenlight_ledger_migration`; a migration is never edited once released.
    struct Migration: Sendable {
        var name: String
        /// Run in order inside the migration's transaction.
        var statements: [String]
    }

    /// The ledger's schema, the same table and the same names as the SQLite store's.
    static let migrations: [Migration] = [
        Migration(
            name: "v1-records",
            statements: [
                """
                CREATE TABLE ledger_record (
                    sequence BIGINT PRIMARY KEY CHECK (sequence >= 1),
                    kind TEXT NOT NULL,
                    release TEXT,
                    time TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    signature TEXT,
                    signer_key_id TEXT,
                    CHECK ((signature IS NULL) = (signer_key_id IS NULL))
                )
                """,
                "CREATE INDEX ledger_record_by_release ON ledger_record (release, kind, sequence)",
                """
                CREATE FUNCTION ledger_record_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the ledger is append-only: a record cannot be changed; append a correction';
                END
                $$
                """,
                """
                CREATE FUNCTION ledger_record_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the ledger is append-only: a record cannot be deleted; append a correction';
                END
                $$
                """,
                """
                CREATE TRIGGER ledger_record_no_update BEFORE UPDATE ON ledger_record
                FOR EACH STATEMENT EXECUTE FUNCTION ledger_record_refuse_update()
                """,
                """
                CREATE TRIGGER ledger_record_no_delete BEFORE DELETE ON ledger_record
                FOR EACH STATEMENT EXECUTE FUNCTION ledger_record_refuse_delete()
                """,
                """
                CREATE TRIGGER ledger_record_no_truncate BEFORE TRUNCATE ON ledger_record
                FOR EACH STATEMENT EXECUTE FUNCTION ledger_record_refuse_delete()
                """,
            ])
    ]

    /// The key of the transaction-scoped advisory lock (`pg_advisory_xact_lock`) under which migrations
    /// are applied: "glmigrat" in ASCII.
    static let migrationLock: Int64 = 0x676C_6D69_6772_6174
    /// The key of the advisory lock each append holds from reading the head to its commit: "glledger".
    static let appendLock: Int64 = 0x676C_6C65_6467_6572
}
