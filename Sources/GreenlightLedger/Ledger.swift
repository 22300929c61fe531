/// GreenlightLedger: the release ledger. Releases, readiness reports, sign-offs, waivers, flag changes
/// and rollout events are appended as records, each carrying the SHA-256 of the canonical form of the
/// record before it, so that an edit, a deletion, a reordering or a forged signature is found by
/// `greenlight ledger verify`. Two stores share one protocol and one test suite: SQLite (GRDB) and
/// PostgreSQL (postgres-nio).
public enum Ledger {
    /// The schema version this greenlight writes.
    public static let formatVersion = 1
}
