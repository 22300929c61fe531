package import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightJSON
import GreenlightLedger

/// The rules a record sent by a remote ledger (`--ledger https://…`) meets before the server appends it:
/// the same ones the command line applies to a local ledger, checked again here because the sender may
/// be anyone holding a token.
struct RecordAdmission {
    let api: TeamAPI

    func admit(_ body: Components.Schemas.NewLedgerRecord) async throws -> LedgerRecord {
        let caller = try Caller.required()
        let kind = try TeamAPI.kind(body.kind)
        let payload: JSONValue
        do {
            payload = try JSONValue(parsing: Data(body.payload.utf8))
        } catch {
            throw APIProblem.badRequest("payload is not JSON text: \(error)")
        }
        guard case .object = payload else { throw APIProblem.badRequest("payload must be a JSON object") }
        let release = try body.release.map(TeamAPI.release)
        let signature = try body.signature.map { signature -> LedgerSignature in
            guard let bytes = Data(base64Encoded: signature.bytes), bytes.count == 64 else {
                throw APIProblem.badRequest("signature.bytes must be the 64-byte Ed25519 signature in base64")
            }
            return LedgerSignature(keyID: signature.keyId, bytes: bytes)
        }
        let store = api.ledger.store
        switch kind {
        case .adminKey:
            throw APIProblem.forbidden(
                "the admin key is set where the ledger is stored (greenlight ledger init --ledger FILE|postgres://…), never through the server"
            )
        case .signoff:
            guard let signature, let release else {
                throw APIProblem.badRequest("a sign-off needs its release and its signer's signature")
            }
            let signOff: SignOff
            do {
                signOff = try SignOff.decode(Data(payload.canonicalSerialized().utf8))
            } catch {
                throw APIProblem.badRequest("the payload is not a sign-off: \(error)")
            }
            guard signOff.release == release else {
                throw APIProblem.badRequest("the sign-off is for \(signOff.release), not \(release)")
            }
            let json: JSONValue = .object([
                ("sign_off", payload), ("key_id", .string(signature.keyID)),
                ("signature", .string(signature.bytes.base64EncodedString())),
            ])
            let signed: SignedSignOff
            do {
                signed = try SignedSignOff.decode(Data(json.serialized().utf8))
            } catch {
                throw APIProblem.badRequest("the payload is not a sign-off: \(error)")
            }
            _ = signOff
            return try await api.recordSignOff(signed)
        case .signer:
            guard release == nil else {
                throw APIProblem.badRequest("a signer registration is ledger-wide: no release")
            }
            let registration: SignerRegistration
            do {
                registration = try SignerRegistration.decode(Data(payload.canonicalSerialized().utf8))
            } catch {
                throw APIProblem.badRequest("the payload is not a signer registration: \(error)")
            }
            if let bytes = registration.signature.flatMap({ Data(base64Encoded: $0) }),
                try await seen(bytes, kind: .signer)
            {
                throw APIProblem.conflict(
                    "signer \(registration.name)'s registration of \(registration.registeredAt) is already recorded: a replay does not restore an old key or roles"
                )
            }
            do {
                return try await api.ledger.addSigner(registration)
            } catch let error as LedgerError {
                throw APIProblem.unprocessable(error.message)
            }
        case .token:
            guard release == nil else { throw APIProblem.badRequest("a token record is ledger-wide: no release") }
            let admin = try await api.index.access().signatures.adminKey
            guard let admin, let signature, signature.keyID == admin.keyID,
                admin.verify(
                    signature.bytes, for: LedgerRecord.signedContent(kind: .token, release: nil, payload: payload))
            else {
                throw APIProblem.forbidden(
                    "a token record must carry the ledger's admin signature (greenlight token new)")
            }
            if try await seen(signature.bytes, kind: .token) {
                throw APIProblem.conflict("this token record is already recorded: a replay does not revive a token")
            }
            return try await store.append(kind: kind, release: nil, payload: payload, signature: signature)
        case .flagChange:
            try caller.require(anyOf: api.operatorRoles, to: "change a flag")
            guard release == nil else { throw APIProblem.badRequest("a flag change is ledger-wide: no release") }
            if let flag = payload["flag"] {
                do { _ = try FeatureFlag(json: flag) } catch { throw APIProblem.badRequest("not a flag: \(error)") }
            } else {
                throw APIProblem.badRequest("a flag change holds the flag")
            }
            return try await append(
                kind, release, try attributed(payload, signed: signature != nil, to: caller), signature)
        case .rolloutEvent:
            try caller.require(anyOf: api.operatorRoles, to: "record a rollout event")
            guard let release else { throw APIProblem.badRequest("a rollout event belongs to a release") }
            let probe = LedgerRecord(
                sequence: 0, kind: .rolloutEvent, release: release, time: Date(), payload: payload, previousHash: "",
                hash: "", signature: nil)
            guard let event = RolloutEvent(record: probe) else {
                throw APIProblem.badRequest("not a rollout event (action, from, to, by)")
            }
            if event.action == .approval, event.by != caller.signer {
                // An approval is a person's: nobody records one in another's name.
                throw APIProblem.forbidden(
                    "the approval is in \(event.by)'s name and the token is \(caller.signer)'s: each approves for themselves"
                )
            }
            return try await append(
                kind, release, try attributed(payload, signed: signature != nil, to: caller), signature)
        case .report:
            guard let release else { throw APIProblem.badRequest("a report belongs to a release") }
            let probe = LedgerRecord(
                sequence: 0, kind: .report, release: release, time: Date(), payload: payload, previousHash: "",
                hash: "",
                signature: nil)
            let report: Report
            do {
                _ = try ReportEntry.read(probe)
                report = try api.ledger.report(in: probe)
            } catch {
                throw APIProblem.badRequest("not a readiness report record: \(error)")
            }
            do {
                try ReportEntry.checkAgreement(probe)
            } catch let error as LedgerError {
                throw APIProblem.unprocessable(error.message)
            }
            guard ReleaseLedger.name(service: report.release.service, version: report.release.version) == release else {
                throw APIProblem.badRequest(
                    "the report is of \(report.release.service)@\(report.release.version), not \(release)")
            }
            return try await append(kind, release, payload, signature)
        case .release:
            guard let release else { throw APIProblem.badRequest("a release record belongs to a release") }
            let probe = LedgerRecord(
                sequence: 0, kind: .release, release: release, time: Date(), payload: payload, previousHash: "",
                hash: "", signature: nil)
            guard let entry = try? ReleaseEntry.read(probe), entry.format == ReleaseEntry.format else {
                throw APIProblem.badRequest("not a release record (service, version, owner…)")
            }
            guard entry.name == release else {
                throw APIProblem.badRequest("the record describes \(entry.name), not \(release)")
            }
            return try await append(kind, release, payload, signature)
        case .waiver:
            guard let release else { throw APIProblem.badRequest("a waiver record belongs to a release") }
            let probe = LedgerRecord(
                sequence: 0, kind: .waiver, release: release, time: Date(), payload: payload, previousHash: "",
                hash: "", signature: nil)
            guard let waiver = try? WaiverEntry.read(probe) else {
                throw APIProblem.badRequest("not a waiver record (check, approver, expires, reason, report)")
            }
            // A waiver is recorded from a report that applied it: that report must be this release's.
            let reports = try await api.ledger.history(release: release).filter { $0.kind == .report }
            guard reports.contains(where: { (try? ReportEntry.read($0).digest) == waiver.reportDigest }) else {
                throw APIProblem.conflict("no report \(waiver.reportDigest) of \(release) applies this waiver")
            }
            return try await append(kind, release, payload, signature)
        case .gate:
            // The server decides: a gate record sent is replaced by the gate's own decision, asked by the
            // caller, so that nobody can record an open gate the ledger does not support.
            guard let release else { throw APIProblem.badRequest("a gate record belongs to a release") }
            let decision = try await api.ledger.gate(release: release)
            return try await api.ledger.record(gate: decision, by: caller.signer)
        }
    }

    /// Whether a record of `kind` with the same signature bytes is in the ledger already (a replay).
    private func seen(_ bytes: Data, kind: LedgerRecord.Kind) async throws -> Bool {
        try await api.ledger.store.allRecords(release: nil, kind: kind).contains { $0.signature?.bytes == bytes }
    }

    /// The payload with its `by` naming the caller: as sent when it does, else with the caller added
    /// (`greenlight rollout (via alice)`). A signed payload cannot be changed, so it must name the caller.
    private func attributed(_ payload: JSONValue, signed: Bool, to caller: Caller) throws -> JSONValue {
        guard case .object(var members) = payload, let index = members.firstIndex(where: { $0.0 == "by" }),
            case .string(let by) = members[index].1
        else { throw APIProblem.badRequest("the record names who made it in by") }
        if by == caller.signer || by.hasSuffix("(via \(caller.signer))") { return payload }
        if signed {
            throw APIProblem.forbidden("the record is signed in \(by)'s name and the token is \(caller.signer)'s")
        }
        members[index].1 = .string("\(by) (via \(caller.signer))")
        return .object(members)
    }

    private func append(
        _ kind: LedgerRecord.Kind, _ release: String?, _ payload: JSONValue, _ signature: LedgerSignature?
    )
        async throws -> LedgerRecord
    {
        if let signature {
            // A signed record must verify now, or it would only be found out by the next verify.
            var registry = try await api.index.access().signatures
            let probe = LedgerRecord(
                sequence: 0, kind: kind, release: release, time: Date(), payload: payload, previousHash: "", hash: "",
                signature: signature)
            if case .rejected(let why) = registry.check(probe).settled() {
                throw APIProblem.unprocessable("the record's signature is refused: \(why)")
            }
        }
        return try await api.ledger.store.append(kind: kind, release: release, payload: payload, signature: signature)
    }
}
