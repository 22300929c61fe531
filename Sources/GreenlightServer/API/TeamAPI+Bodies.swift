package import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightJSON
import GreenlightLedger
package import OpenAPIRuntime
import Synchronization

/// What the operations share: the gate and a release's summary (cached per head and day), the checks
/// of path values, and the mapping of ledger values to the API's bodies.
extension TeamAPI {
    func gate(_ name: String) async throws -> GateDecision {
        // Per head and per day: a waiver that expires closes the gate the next day with no new record.
        try await index.cached("gate \(name) \(CalendarDate(Date()))") { _ in try await ledger.gate(release: name) }
    }

    func summary(_ release: ReleaseState) async throws -> Components.Schemas.ReleaseSummary {
        let decision = try await gate(release.name)
        let parts = release.name.split(separator: "@", maxSplits: 1).map(String.init)
        return .init(
            release: release.name, service: release.entry?.service ?? parts.first ?? release.name,
            version: release.entry?.version ?? (parts.count > 1 ? parts[1] : ""), owner: release.entry?.owner,
            author: release.entry?.author, ticket: release.entry?.ticket, verdict: release.report?.entry.verdict,
            riskClass: release.report?.entry.riskClass, reportDigest: release.report?.entry.digest,
            reportedAt: release.report.map { LedgerTime.string($0.time) }, gate: decision.isOpen ? .open : .closed,
            missing: decision.missing, canaryWeight: release.weight, rolloutState: release.rolloutState)
    }

    static func release(_ text: String) throws -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { throw APIProblem.badRequest("'\(text)' is not a release written service@version") }
        return text
    }

    /// A reason is at most 2,000 characters (docs/openapi.yaml), as the ledger keeps it for good.
    static func checkReason(_ reason: String?) throws {
        if let reason, reason.count > 2000 {
            throw APIProblem.badRequest("reason is \(reason.count) characters; at most 2,000")
        }
    }

    static func unknown(_ name: String) -> APIProblem {
        APIProblem.notFound("the ledger holds no record of \(name)")
    }

    static func kind(_ kind: Components.Schemas.RecordKind) throws -> LedgerRecord.Kind {
        guard let value = LedgerRecord.Kind(rawValue: kind.rawValue) else {
            throw APIProblem.badRequest("unknown record kind \(kind.rawValue)")
        }
        return value
    }

    static func container(_ value: JSONValue) throws -> OpenAPIObjectContainer {
        try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(value.serialized().utf8))
    }

    static func recordBody(_ record: LedgerRecord) throws -> Components.Schemas.LedgerRecord {
        .init(
            sequence: record.sequence, kind: Components.Schemas.RecordKind(rawValue: record.kind.rawValue)!,
            release: record.release, time: LedgerTime.string(record.time),
            payload: .init(additionalProperties: try container(record.payload)), previousHash: record.previousHash,
            hash: record.hash,
            signature: record.signature.map { .init(keyId: $0.keyID, bytes: $0.bytes.base64EncodedString()) },
            canonical: String(decoding: record.canonicalForm, as: UTF8.self))
    }

    static func approval(_ approval: GateDecision.Approval) -> Components.Schemas.Approval {
        .init(
            role: approval.signed.signOff.role, signer: approval.signed.signOff.signer,
            signedAt: approval.signed.signOff.signedAt, keyId: approval.signed.keyID, record: approval.sequence)
    }

    static func gateBody(_ decision: GateDecision, record: Int?) -> Components.Schemas.GateDecision {
        .init(
            release: decision.release, open: decision.isOpen, reportDigest: decision.report?.entry.digest,
            verdict: decision.report?.entry.verdict, riskClass: decision.report?.entry.riskClass,
            requiredRoles: decision.requiredRoles, approvals: decision.approvals.map(approval),
            missing: decision.missing, ignored: decision.ignored, record: record)
    }

    static func signOffBody(_ signOff: SignOff) -> Components.Schemas.SignOff {
        .init(
            format: signOff.format, signer: signOff.signer, role: signOff.role,
            decision: signOff.decision == .approve ? .approve : .reject, comment: signOff.comment,
            signedAt: signOff.signedAt, release: signOff.release, reportDigest: signOff.reportDigest)
    }

    static func signedSignOff(_ body: Components.Schemas.SignedSignOff) throws -> SignedSignOff {
        let s = body.signOff
        // Rebuilt field by field: the signature covers the canonical JSON of exactly these fields.
        let json: JSONValue = .object([
            (
                "sign_off",
                .object([
                    ("format", .string(s.format)), ("signer", .string(s.signer)), ("role", .string(s.role)),
                    ("decision", .string(s.decision.rawValue)), ("comment", .string(s.comment)),
                    ("signed_at", .string(s.signedAt)), ("release", .string(s.release)),
                    ("report_digest", .string(s.reportDigest)),
                ])
            ),
            ("key_id", .string(body.keyId)), ("signature", .string(body.signature)),
        ])
        do {
            return try SignedSignOff.decode(Data(json.serialized().utf8))
        } catch {
            throw APIProblem.badRequest("not a signed sign-off: \(error)")
        }
    }

    static func flagBody(_ entry: FlagEntry) throws -> Components.Schemas.Flag {
        .init(
            key: entry.flag.key, killed: entry.flag.killed, changedBy: entry.by,
            changedAt: LedgerTime.string(entry.time), record: entry.sequence,
            definition: .init(additionalProperties: try container(entry.flag.json)))
    }
}

/// Sign-off signatures being recorded by a request now, so that the same bytes sent twice at once are
/// recorded once.
final class InFlightSignatures: Sendable {
    private let signatures = Mutex<Set<Data>>([])

    /// False when another request holds the same signature.
    func claim(_ bytes: Data) -> Bool { signatures.withLock { $0.insert(bytes).inserted } }

    func release(_ bytes: Data) { _ = signatures.withLock { $0.remove(bytes) } }
}
