import GRDB

extension SQLiteLedgerStore {
    /// The ledger's schema, one named migration per change; a migration is never edited once released.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-records") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger_record (
                        sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence >= 1),
                        kind TEXT NOT NULL,
                        release TEXT,
                        time TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        previous_hash TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        signature TEXT,
                        signer_key_id TEXT,
                        CHECK ((signature IS NULL) = (signer_key_id IS NULL))
                    );
                    CREATE INDEX ledger_record_by_release ON ledger_record (release, kind, sequence);
                    CREATE TRIGGER ledger_record_no_update BEFORE UPDATE ON ledger_record
                    BEGIN
                        SELECT RAISE(ABORT, 'the ledger is append-only: a record cannot be changed; append a correction');
                    END;
                    CREATE TRIGGER ledger_record_no_delete BEFORE DELETE ON ledger_record
                    BEGIN
                        SELECT RAISE(ABORT, 'the ledger is append-only: a record cannot be deleted; append a correction');
                    END;
                    """)
        }
        return migrator
    }
}
