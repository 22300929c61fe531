import Foundation

/// Dead Simple Signing Envelope (DSSE v1): the JSON envelope and its pre-authentication encoding.
public struct DSSEEnvelope: Codable, Sendable, Hashable {
    /// Base64 of the signed body.
    public var payload: String
    public var payloadType: String
    public var signatures: [Signature]

    public struct Signature: Codable, Sendable, Hashable {
        /// A hint naming the key; never trusted on its own.
        public var keyid: String?
        /// Base64 of the signature over the PAE.
        public var sig: String
    }

    /// `body` of type `payloadType`, signed with `key` over its PAE.
    public static func sign(body: Data, payloadType: String, with key: SigningKey) throws -> DSSEEnvelope {
        let signature = try key.sign(pae(type: payloadType, body: body))
        return DSSEEnvelope(
            payload: body.base64EncodedString(), payloadType: payloadType,
            signatures: [Signature(keyid: key.keyID, sig: signature.base64EncodedString())])
    }

    /// The pre-authentication encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in
    /// decimal bytes.
    public static func pae(type: String, body: Data) -> Data {
        let typeBytes = Data(type.utf8)
        var out = Data("DSSEv1 \(typeBytes.count) ".utf8)
        out.append(typeBytes)
        out.append(contentsOf: Array(" \(body.count) ".utf8))
        out.append(body)
        return out
    }

    /// The body, decoded from standard or URL-safe base64 (DSSE allows both).
    public func body() throws -> Data {
        guard let data = Self.base64(payload) else { throw AttestationError("the envelope's payload is not base64") }
        return data
    }

    /// The body, once a signature in the envelope verifies with `key` over the PAE; signatures whose
    /// key id names another key are skipped.
    public func verifiedBody(with key: PublicKey) throws -> Data {
        let body = try body()
        let message = Self.pae(type: payloadType, body: body)
        let candidates = signatures.filter { ($0.keyid ?? "").isEmpty || $0.keyid == key.keyID }
        guard !candidates.isEmpty else {
            throw AttestationError("the envelope has no signature by key \(key.shortKeyID)")
        }
        for candidate in candidates {
            if let sig = Self.base64(candidate.sig), key.verify(sig, for: message) { return body }
        }
        throw AttestationError("the envelope's signature does not verify with key \(key.shortKeyID)")
    }

    /// Standard or URL-safe base64, padded or not.
    static func base64(_ text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard)
    }
}

/// An attestation that cannot be made or does not verify, saying why.
public struct AttestationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
