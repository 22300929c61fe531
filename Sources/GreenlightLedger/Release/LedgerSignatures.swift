import Foundation

/// The signature rules of a release ledger, applied record by record in chain order:
///
/// - the first `admin-key` record sets the ledger's admin key and must be signed by that key; a second
///   one is refused;
/// - a `signer` record holds a ``SignerRegistration`` signed by the admin key; a later registration of
///   the same name replaces the earlier one (its key and roles), so re-registering revokes the old key;
/// - a `signoff` record holds a ``SignOff`` and its signer's signature over ``SignOff/signedBytes()``: the
///   key must be the signer's registered key, and the signer must hold the role;
/// - any other record may be unsigned; when signed, the signature must be the admin key's or a registered
///   signer's, over ``LedgerRecord/signedContent``.
///
/// Decisions that depend on earlier records are taken in ``check(_:)``; the Ed25519 arithmetic is
/// deferred, so that `verify` runs it on all cores.
public struct LedgerSignatures: SignatureVerifier, Sendable {
    /// The admin key, once its record was seen.
    public private(set) var adminKey: PublicKey?
    /// The current registration of each signer, by name.
    public private(set) var signers: [String: SignerRegistration] = [:]
    private var byKeyID: [String: SignerRegistration] = [:]
    /// The admin signatures of every registration seen: an old registration appended again (a replay, to
    /// restore a dropped role or a rotated key) carries one of them, and is refused.
    private var registrationSignatures: Set<Data> = []

    public init() {}

    /// The current registration holding `keyID`, if any.
    public func registration(keyID: String) -> SignerRegistration? { byKeyID[keyID] }

    public mutating func check(_ record: LedgerRecord) -> SignatureCheck {
        switch record.kind {
        case .adminKey: return checkAdminKey(record)
        case .signer: return checkSigner(record)
        case .signoff: return checkSignOff(record)
        default:
            guard let signature = record.signature else { return .accepted }
            let key: PublicKey?
            if let adminKey, signature.keyID == adminKey.keyID {
                key = adminKey
            } else {
                key = try? byKeyID[signature.keyID]?.key()
            }
            guard let key else {
                return .rejected(
                    "signed by key \(signature.keyID.prefix(16)), which is neither the admin key nor a registered signer's"
                )
            }
            let content = record.signedContent
            return .deferred {
                key.verify(signature.bytes, for: content)
                    ? .accepted : .rejected("the signature does not verify with key \(key.shortKeyID)")
            }
        }
    }

    private mutating func checkAdminKey(_ record: LedgerRecord) -> SignatureCheck {
        if let adminKey {
            return .rejected("a second admin key; the ledger's admin key is \(adminKey.shortKeyID), set by ledger init")
        }
        let key: PublicKey
        do {
            key = try LedgerJSON.decode(AdminKeyRecord.self, record.payload).key()
        } catch {
            return .rejected("not an admin key: \(error)")
        }
        guard let signature = record.signature, signature.keyID == key.keyID else {
            return .rejected("the admin key record is not signed by the admin key")
        }
        adminKey = key
        let content = record.signedContent
        return .deferred {
            key.verify(signature.bytes, for: content)
                ? .accepted : .rejected("the admin key record's signature does not verify with its own key")
        }
    }

    private mutating func checkSigner(_ record: LedgerRecord) -> SignatureCheck {
        guard let adminKey else { return .rejected("a signer registered before the ledger has an admin key") }
        let registration: SignerRegistration
        do {
            registration = try LedgerJSON.decode(SignerRegistration.self, record.payload)
        } catch {
            return .rejected("not a signer registration: \(error)")
        }
        guard let signature = record.signature, signature.keyID == adminKey.keyID,
            signature.bytes.base64EncodedString() == registration.signature
        else {
            return .rejected("signer \(registration.name)'s record does not carry the admin key's signature")
        }
        guard registrationSignatures.insert(signature.bytes).inserted else {
            return .rejected(
                "signer \(registration.name)'s registration of \(registration.registeredAt) was recorded before: a replay does not restore an old key or roles"
            )
        }
        if let old = signers[registration.name] { byKeyID[old.keyID] = nil }
        signers[registration.name] = registration
        byKeyID[registration.keyID] = registration
        return .deferred {
            do {
                try registration.verify(adminKey: adminKey)
                return .accepted
            } catch {
                return .rejected("\(error)")
            }
        }
    }

    private func checkSignOff(_ record: LedgerRecord) -> SignatureCheck {
        let signOff: SignOff
        do {
            signOff = try LedgerJSON.decode(SignOff.self, record.payload)
        } catch {
            return .rejected("not a sign-off: \(error)")
        }
        guard let signature = record.signature else {
            return .rejected("\(signOff.signer)'s sign-off is not signed")
        }
        guard let registration = byKeyID[signature.keyID] else {
            return .rejected(
                "\(signOff.signer)'s sign-off is signed by key \(signature.keyID.prefix(16)), which no registered signer holds"
            )
        }
        let signed = SignedSignOff(
            signOff: signOff, keyID: signature.keyID, signature: signature.bytes.base64EncodedString())
        if record.release != signOff.release {
            return .rejected(
                "the sign-off is for release \(signOff.release), filed under \(record.release ?? "no release")")
        }
        return .deferred {
            do {
                try signed.verify(against: registration, reportDigest: signOff.reportDigest)
                return .accepted
            } catch {
                return .rejected("\(error)")
            }
        }
    }
}

extension SignatureCheck {
    /// The judgement, with deferred work run here.
    public func settled() -> SignatureCheck {
        if case .deferred(let work) = self { return work() }
        return self
    }
}
