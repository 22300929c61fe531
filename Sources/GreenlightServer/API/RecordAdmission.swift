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
            return try await store.append(kind: kind, release: nil, payload: payload, signature: signature)
        case .flagChange:
            try caller.require(anyOf: api.operatorRoles, to: "change a flag")
            guard release == nil else { throw APIProblem.badRequest("a flag change is ledger-wide: no release") }
            if let flag = payload["flag"] {
                do { _ = try FeatureFlag(json: flag) } catch { throw APIProblem.badRequest("not a flag: \(error)") }
            } else {
                throw APIProblem.badRequest("a flag change holds the flag")
            }
            return try await append(kind, release, payload, signature)
        case .rolloutEvent:
            try caller.require(anyOf: api.operatorRoles, to: "record a rollout event")
            guard let release else { throw APIProblem.badRequest("a rollout event belongs to a release") }
            let probe = LedgerRecord(
                sequence: 0, kind: .rolloutEvent, release: release, time: Date(), payload: payload, previousHash: "",
                hash: "", signature: nil)
            guard RolloutEvent(record: probe) != nil else {
                throw APIProblem.badRequest("not a rollout event (action, from, to, by)")
            }
            return try await append(kind, release, payload, signature)
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
            guard let digest = report.digest, report.computeDigest() == digest else {
                throw APIProblem.unprocessable(
                    "the report's digest does not match its content: it was changed after it was made")
            }
            guard ReleaseLedger.name(service: report.release.service, version: report.release.version) == release else {
                throw APIProblem.badRequest(
                    "the report is of \(report.release.service)@\(report.release.version), not \(release)")
            }
            return try await append(kind, release, payload, signature)
        case .release, .waiver, .gate:
            guard release != nil else { throw APIProblem.badRequest("a \(kind.rawValue) record belongs to a release") }
            return try await append(kind, release, payload, signature)
        }
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
