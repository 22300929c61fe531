/// Judges the signatures the ledger carries; the caller provides it (the keys and who may sign what
/// are not the ledger's business).
///
/// ``LedgerStore/verify(signatures:)`` calls ``check(_:)`` for every record, signed or not, in chain
/// order, so an implementation can learn the signers registered by earlier records (and refuse an
/// unsigned record that should have been signed).
public protocol SignatureVerifier {
    /// Whether `record`'s signature (over ``LedgerRecord/signedContent``) is acceptable.
    mutating func check(_ record: LedgerRecord) -> SignatureCheck
}

/// A verifier's judgement of one record.
public enum SignatureCheck: Sendable {
    case accepted
    /// The record's signature is forged, made by a key that may not sign it, or missing; with why.
    case rejected(String)
    /// The judgement is `work`'s, which verify runs later, on any thread, beside the work of other records
    /// (checking an Ed25519 signature is most of verify's time). `work` answers ``accepted`` or
    /// ``rejected(_:)``; a verifier decides in ``SignatureVerifier/check(_:)`` what depends on the order
    /// of records (who was registered by then) and defers only the signature arithmetic.
    case deferred(@Sendable () -> SignatureCheck)
}

/// A verifier made of a closure.
public struct ClosureSignatureVerifier: SignatureVerifier {
    private let body: (LedgerRecord) -> SignatureCheck

    public init(_ body: @escaping (LedgerRecord) -> SignatureCheck) { self.body = body }

    public func check(_ record: LedgerRecord) -> SignatureCheck { body(record) }
}

/// Accepts every record: for checking the chain alone.
public struct UncheckedSignatures: SignatureVerifier {
    public init() {}

    public func check(_ record: LedgerRecord) -> SignatureCheck { .accepted }
}
