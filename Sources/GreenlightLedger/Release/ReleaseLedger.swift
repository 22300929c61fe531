import Foundation
import GreenlightCore
import GreenlightJSON

/// The release workflow on a ledger store: the admin key, signers, recorded reports, sign-offs and the
/// gate. Every rule about who may sign what lives here, so that the command line and a server apply the
/// same ones.
public struct ReleaseLedger: Sendable {
    public let store: any LedgerStore
    /// What this process already read and checked: records never change, so only newer ones are read.
    let cache = ReadCache()

    public init(store: any LedgerStore) { self.store = store }

    /// How the ledger names a release: `service@version`.
    public static func name(service: String, version: String) -> String { "\(service)@\(version)" }

    // MARK: - Admin key and signers

    /// Records `admin`'s public key as the ledger's admin key. Refuses a ledger that already has one.
    @discardableResult
    public func initialize(admin: SigningKey) async throws -> LedgerRecord {
        if let existing = try await adminKey() {
            throw LedgerError(
                .invalidRecord,
                "the ledger already has an admin key (\(existing.name), key id \(existing.shortKeyID)); it is set once")
        }
        let payload = try LedgerJSON.payload(AdminKeyRecord(admin.publicKey))
        let content = LedgerRecord.signedContent(kind: .adminKey, release: nil, payload: payload)
        let signature = LedgerSignature(keyID: admin.keyID, bytes: try admin.sign(content))
        return try await store.append(kind: .adminKey, release: nil, payload: payload, signature: signature)
    }

    /// The ledger's admin key, from its first `admin-key` record; nil before `ledger init`.
    public func adminKey() async throws -> PublicKey? {
        guard let record = try await store.records(release: nil, kind: .adminKey, after: 0, limit: 1).first else {
            return nil
        }
        do {
            return try LedgerJSON.decode(AdminKeyRecord.self, record.payload).key()
        } catch {
            throw LedgerError(
                .unreadableRecord, "record \(record.sequence) is not a readable admin key: \(error)",
                sequence: record.sequence)
        }
    }

    /// Registers a signer: `registration` must be signed by the ledger's admin key.
    @discardableResult
    public func addSigner(_ registration: SignerRegistration) async throws -> LedgerRecord {
        guard let admin = try await adminKey() else {
            throw LedgerError(.invalidRecord, "the ledger has no admin key yet: run greenlight ledger init first")
        }
        do {
            try registration.verify(adminKey: admin)
        } catch {
            throw LedgerError(.invalidRecord, "\(error)")
        }
        guard let signature = registration.signature.flatMap({ Data(base64Encoded: $0) }) else {
            throw LedgerError(.invalidRecord, "signer \(registration.name)'s registration is not signed")
        }
        // The registry finds a signer by key id: a key held under two names would leave one of them unable
        // to sign (and re-registering one would revoke the other's key).
        if let holder = try await registry().signatures.registration(keyID: registration.keyID),
            holder.name != registration.name
        {
            throw LedgerError(
                .invalidRecord,
                "key \(registration.keyID.prefix(16)) is already registered to signer \(holder.name); each signer needs a key of their own"
            )
        }
        return try await store.append(
            kind: .signer, release: nil, payload: try LedgerJSON.payload(registration),
            signature: LedgerSignature(keyID: admin.keyID, bytes: signature))
    }

    /// The signer registry as the ledger-wide records build it, with each record's signature checked;
    /// a record whose signature is refused is left out and named in `refused`.
    public func registry() async throws -> (signatures: LedgerSignatures, refused: [String]) {
        var (after, signatures, refused) = cache.registry()
        let newer = try await store.allRecords(release: nil, kind: nil, after: after)
        for record in newer {
            if let problem = Self.learn(record, into: &signatures) { refused.append(problem) }
        }
        if let last = newer.last {
            after = last.sequence
            cache.keep(registry: (after, signatures, refused))
        }
        return (signatures, refused)
    }

    /// Applies an admin-key or signer record to `signatures` when it is intact and its signature is
    /// accepted; otherwise leaves them as they were and says why. Other records are ignored.
    static func learn(_ record: LedgerRecord, into signatures: inout LedgerSignatures) -> String? {
        guard record.kind == .adminKey || record.kind == .signer else { return nil }
        guard record.computeHash() == record.hash else {
            return "record \(record.sequence) (\(record.kind.rawValue)): its content no longer matches its hash"
        }
        var trial = signatures
        guard case .accepted = trial.check(record).settled() else {
            return "record \(record.sequence) (\(record.kind.rawValue)): its signature is refused"
        }
        signatures = trial
        return nil
    }

    // MARK: - Reports

    /// Records a readiness report for its release: a `release` record the first time the release (or
    /// its owner, author or ticket) is seen, the report with what the gate needs, and a `waiver` record for
    /// each waiver not recorded for this release before. Returns the report record.
    @discardableResult
    public func record(report: Report, specRoles: [String], forbidAuthorApproval: Bool) async throws
        -> LedgerRecord
    {
        var report = report
        let digest = report.computeDigest()
        if let given = report.digest, given != digest {
            // Sign-offs bind to the digest: one that does not identify the content would be signed blind.
            throw LedgerError(
                .invalidRecord,
                "the report's digest \(given) does not match its content (\(digest)): it was changed after it was made; run greenlight check again"
            )
        }
        report.digest = digest
        let release = ReleaseEntry(report.release)
        if let latest = try await store.latest(release: release.name, kind: .release),
            (try? LedgerJSON.decode(ReleaseEntry.self, latest.payload)) == release
        {
            // Known, unchanged.
        } else {
            try await store.append(kind: .release, release: release.name, payload: try LedgerJSON.payload(release))
        }
        let entry = ReportEntry(report: report, specRoles: specRoles, forbidAuthorApproval: forbidAuthorApproval)
        let recorded = try await store.append(
            kind: .report, release: release.name, payload: try entry.payload(report: report))
        let known = Set(
            try await all(release: release.name, kind: .waiver).compactMap {
                try? LedgerJSON.decode(WaiverEntry.self, $0.payload)
            }.map { [$0.check, $0.approver, $0.expires] })
        for waiver in entry.waivers where !known.contains([waiver.check, waiver.approver, waiver.expires]) {
            let record = WaiverEntry(
                check: waiver.check, approver: waiver.approver, expires: waiver.expires, reason: waiver.reason,
                reportDigest: entry.digest)
            try await store.append(kind: .waiver, release: release.name, payload: try LedgerJSON.payload(record))
        }
        return recorded
    }

    /// The newest report recorded for `release`, with its record.
    public func latestReport(release: String) async throws -> (record: LedgerRecord, entry: ReportEntry)? {
        guard var latest = cache.report(release: release) else {
            guard let record = try await store.latest(release: release, kind: .report) else { return nil }
            let found = (record: record, entry: try ReportEntry.read(record))
            cache.keep(report: found, release: release)
            return found
        }
        // Only reports recorded since the one known are read (usually none).
        while let newer = try await store.records(
            release: release, kind: .report, after: latest.record.sequence, limit: 16
        ).last {
            latest = (newer, try ReportEntry.read(newer))
            cache.keep(report: latest, release: release)
        }
        return latest
    }

    /// The report held by a `report` record.
    public func report(in record: LedgerRecord) throws -> Report { try ReportEntry.report(record) }

    // MARK: - Sign-off

    /// Records a signed sign-off after checking it against the ledger: the release has a recorded report
    /// and the sign-off is for the latest one; the signer is registered with the key that signed and holds
    /// the role; the signature verifies; the author does not approve their own release when the spec
    /// forbids it. Throws ``SignOffRefusal`` naming what is wrong.
    @discardableResult
    public func record(signOff signed: SignedSignOff) async throws -> LedgerRecord {
        let signOff = signed.signOff
        // Both reads at once: each is a hop to the store's threads, and they do not depend on each other.
        async let latestRead = latestReport(release: signOff.release)
        async let registryRead = registry()
        let (latestReport, (signatures, _)) = try await (latestRead, registryRead)
        guard let (_, latest) = latestReport else {
            throw SignOffRefusal(
                "no readiness report is recorded for \(signOff.release): run greenlight check on its spec first")
        }
        if signOff.reportDigest != latest.digest {
            let older = try await all(release: signOff.release, kind: .report).contains {
                (try? ReportEntry.read($0).digest) == signOff.reportDigest
            }
            throw SignOffRefusal(
                older
                    ? "the sign-off is for report \(signOff.reportDigest), which is stale: a newer check of \(signOff.release) recorded report \(latest.digest); sign that one"
                    : "the sign-off is for report \(signOff.reportDigest), which is not a report of \(signOff.release) (its latest is \(latest.digest))"
            )
        }
        if signOff.decision == .approve, latest.verdict != Report.Verdict.Decision.go.rawValue {
            throw SignOffRefusal(
                "report \(latest.digest) of \(signOff.release) is \(latest.verdict): there is nothing to approve until a check is GO (a rejection may still be recorded)"
            )
        }
        guard let registration = signatures.signers[signOff.signer] else {
            throw SignOffRefusal("\(signOff.signer) is not a registered signer: an admin runs greenlight signer add")
        }
        do {
            try signed.verify(against: registration, reportDigest: latest.digest, release: signOff.release)
        } catch {
            throw SignOffRefusal("\(error)")
        }
        if signOff.decision == .approve, latest.forbidAuthorApproval,
            Self.isAuthor(signOff.signer, author: latest.author)
        {
            throw SignOffRefusal(
                "\(signOff.signer) is the author of \(signOff.release), and its spec forbids the author's approval (signoff.forbid_author_approval)"
            )
        }
        guard let bytes = Data(base64Encoded: signed.signature) else {
            throw SignOffRefusal("the signature is not base64")
        }
        return try await store.append(
            kind: .signoff, release: signOff.release, payload: try LedgerJSON.payload(signOff),
            signature: LedgerSignature(keyID: signed.keyID, bytes: bytes))
    }

    /// Whether signer `name` is `author`: the same name, ignoring case, or the local part of an author
    /// given as an e-mail address.
    static func isAuthor(_ name: String, author: String?) -> Bool {
        guard let author else { return false }
        let local = author.split(separator: "@", maxSplits: 1).first.map(String.init) ?? author
        return name.caseInsensitiveCompare(author) == .orderedSame
            || name.caseInsensitiveCompare(local) == .orderedSame
    }

    // MARK: - History

    /// Every record of `release`, in order.
    public func history(release: String) async throws -> [LedgerRecord] {
        try await all(release: release, kind: nil)
    }

    func all(release: String?, kind: LedgerRecord.Kind?, after: Int = 0) async throws -> [LedgerRecord] {
        try await store.allRecords(release: release, kind: kind, after: after)
    }
}

/// A sign-off the ledger refuses to record, with why.
public struct SignOffRefusal: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Records a ReleaseLedger already read and checked, shared by its copies. A record never changes once
/// appended (and `verify` is what proves it), and sequence numbers become visible in order, so what was
/// read stays true and only records after it need reading.
final class ReadCache: @unchecked Sendable {
    private let lock = NSLock()
    private var registryState: (after: Int, signatures: LedgerSignatures, refused: [String]) = (0, .init(), [])
    private var reports: [String: (record: LedgerRecord, entry: ReportEntry)] = [:]

    func registry() -> (after: Int, signatures: LedgerSignatures, refused: [String]) {
        lock.withLock { registryState }
    }

    func keep(registry state: (after: Int, signatures: LedgerSignatures, refused: [String])) {
        lock.withLock { if state.after > registryState.after { registryState = state } }
    }

    func report(release: String) -> (record: LedgerRecord, entry: ReportEntry)? {
        lock.withLock { reports[release] }
    }

    func keep(report: (record: LedgerRecord, entry: ReportEntry), release: String) {
        lock.withLock {
            if report.record.sequence > reports[release]?.record.sequence ?? 0 { reports[release] = report }
        }
    }
}
