import Foundation
import GreenlightCore
import GreenlightJSON

/// The gate's answer for one release: open, or each piece that is missing.
public struct GateDecision: Sendable {
    /// A sign-off the gate counts, with the registration its signature was checked against.
    public struct Approval: Sendable {
        public var signed: SignedSignOff
        public var registration: SignerRegistration
        /// The ledger record holding it.
        public var sequence: Int
    }

    public var release: String
    /// The latest report's record and entry; nil when none is recorded.
    public var report: (record: LedgerRecord, entry: ReportEntry)?
    /// The roles that must approve the latest report.
    public var requiredRoles: [String] = []
    /// Valid approvals of the latest report, one per role (the first recorded).
    public var approvals: [Approval] = []
    /// What keeps the gate closed, one sentence each; empty when it is open.
    public var missing: [String] = []
    /// Sign-offs the gate did not count, and why (stale, forged, the author's own, a role not held).
    public var ignored: [String] = []

    public var isOpen: Bool { missing.isEmpty }
}

extension ReleaseLedger {
    /// Decides whether `release` may ship at `now`: the latest report is GO and intact, every required role
    /// approved that exact report with a valid signature, no rejection stands, and none of the report's
    /// waivers has expired since.
    ///
    /// A rejection by a role stands until the same role approves a newer report. Reads the latest
    /// report, the release's sign-offs and the ledger-wide records through the store's index, so its cost
    /// does not grow with the rest of the ledger; it checks the hashes and signatures of what it reads, but
    /// not the whole chain: `ledger verify` does that.
    ///
    /// With `specSHA256` (the spec file's SHA-256, when the gate was given the spec), the gate also stays
    /// closed when the spec changed since the latest report was made from it.
    public func gate(release: String, now: Date = Date(), specSHA256: String? = nil) async throws -> GateDecision {
        var decision = GateDecision(release: release)
        guard let latest = try await latestReport(release: release) else {
            decision.missing.append(
                "no readiness report is recorded for \(release): run greenlight check on its spec (it records by default)"
            )
            return decision
        }
        decision.report = latest
        let (record, entry) = latest
        decision.requiredRoles = entry.requiredRoles
        let digest = entry.digest
        if record.computeHash() != record.hash {
            decision.missing.append(
                "the latest report's record (\(record.sequence)) no longer matches its hash; run greenlight ledger verify"
            )
        } else if let report = try? report(in: record), report.computeDigest() == digest {
            if let specSHA256, report.spec.sha256 != specSHA256 {
                decision.missing.append(
                    "\(report.spec.file) changed since the latest report was made from it (sha256 \(report.spec.sha256.prefix(12))…, now \(specSHA256.prefix(12))…): run greenlight check and sign the new report"
                )
            }
        } else {
            decision.missing.append(
                "the latest report's record (\(record.sequence)) holds a report whose digest is not \(digest)")
        }
        if entry.verdict != Report.Verdict.Decision.go.rawValue {
            decision.missing.append(
                "the latest report (\(digest), recorded \(LedgerTime.string(record.time))) is \(entry.verdict)")
        }

        // Each sign-off is judged against the signers registered when it was recorded, in chain order as
        // `verify` does: re-registering a signer (a new key, other roles) applies to what they sign next,
        // and neither revives nor drops what they signed before.
        var pendingRegistrations = try await all(release: nil, kind: nil)[...]
        var signatures = LedgerSignatures()
        var approvedBy: [String: GateDecision.Approval] = [:]
        var rejections: [(signOff: SignOff, sequence: Int)] = []
        for signOffRecord in try await all(release: release, kind: .signoff) {
            let sequence = signOffRecord.sequence
            while let next = pendingRegistrations.first, next.sequence < sequence {
                pendingRegistrations.removeFirst()
                _ = Self.learn(next, into: &signatures)
            }
            guard signOffRecord.computeHash() == signOffRecord.hash else {
                decision.ignored.append("record \(sequence): no longer matches its hash")
                continue
            }
            guard let signOff = try? LedgerJSON.decode(SignOff.self, signOffRecord.payload) else {
                decision.ignored.append("record \(sequence): not a sign-off")
                continue
            }
            let who = "\(signOff.signer)'s \(signOff.decision.rawValue) as \(signOff.role) (record \(sequence))"
            var verifier = signatures
            if case .rejected(let why) = verifier.check(signOffRecord).settled() {
                decision.ignored.append("\(who): \(why)")
                continue
            }
            switch signOff.decision {
            case .reject:
                rejections.append((signOff, sequence))
            case .approve:
                guard signOff.reportDigest == digest else {
                    decision.ignored.append("\(who): for an older report, \(signOff.reportDigest)")
                    continue
                }
                if entry.forbidAuthorApproval, Self.isAuthor(signOff.signer, author: entry.author) {
                    decision.ignored.append("\(who): the author may not approve their own release")
                    continue
                }
                guard approvedBy[signOff.role] == nil, let signature = signOffRecord.signature,
                    let registration = signatures.registration(keyID: signature.keyID)
                else { continue }
                approvedBy[signOff.role] = GateDecision.Approval(
                    signed: SignedSignOff(
                        signOff: signOff, keyID: signature.keyID, signature: signature.bytes.base64EncodedString()),
                    registration: registration, sequence: sequence)
            }
        }
        for rejection in rejections {
            let role = rejection.signOff.role
            let cleared =
                rejection.signOff.reportDigest != digest
                && (approvedBy[role].map { $0.sequence > rejection.sequence } ?? false)
            if !cleared {
                let comment = rejection.signOff.comment.isEmpty ? "" : ": \(rejection.signOff.comment)"
                decision.missing.append(
                    "\(rejection.signOff.signer) rejected as \(role) (record \(rejection.sequence))\(comment); it stands until \(role) approves a newer report"
                )
            }
        }
        for role in entry.requiredRoles where approvedBy[role] == nil {
            decision.missing.append("no approval by \(role) of report \(digest)")
        }
        decision.approvals =
            entry.requiredRoles.compactMap { approvedBy[$0] }
            + approvedBy.filter { !entry.requiredRoles.contains($0.key) }.sorted { $0.key < $1.key }.map(\.value)

        let today = CalendarDate(now)
        for waiver in entry.waivers {
            if let expires = CalendarDate(waiver.expires), expires < today {
                decision.missing.append(
                    "the waiver of \(waiver.check) approved by \(waiver.approver) expired on \(waiver.expires); renew it and run check again"
                )
            }
        }
        return decision
    }
}

extension ReleaseLedger {
    /// Records what the gate decided, as a `gate` record of the release: open or closed, for which report,
    /// the approvals it counted and what was missing. The release's trace then shows every time a deploy
    /// asked, and the webhooks of a team server hear of it. `by` names who asked (a CI job, a person).
    @discardableResult
    public func record(gate decision: GateDecision, by: String) async throws -> LedgerRecord {
        var members: [(String, JSONValue)] = [
            ("open", .bool(decision.isOpen)), ("by", .string(by)),
            ("missing", .array(decision.missing.map { .string($0) })),
            (
                "approvals",
                .array(
                    decision.approvals.map {
                        .object([
                            ("role", .string($0.signed.signOff.role)), ("signer", .string($0.signed.signOff.signer)),
                            ("record", .int($0.sequence)),
                        ])
                    })
            ),
        ]
        if let digest = decision.report?.entry.digest { members.append(("report_digest", .string(digest))) }
        return try await store.append(kind: .gate, release: decision.release, payload: .object(members))
    }
}
