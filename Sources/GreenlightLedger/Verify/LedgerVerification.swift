/// The outcome of ``LedgerStore/verify(signatures:batchSize:)``.
public enum LedgerVerification: Sendable, Hashable {
    /// Every record is as written: the head to compare with a copy kept elsewhere.
    case intact(LedgerHead)
    /// The first record found altered.
    case broken(LedgerBreak)
}

/// The first record of a ledger that is not as it was written.
public struct LedgerBreak: Sendable, Hashable, CustomStringConvertible {
    public enum Problem: String, Sendable, Hashable {
        /// The record's content was changed (its hash no longer matches), or it was changed and re-hashed
        /// (the next record's link no longer matches).
        case edited
        /// Records are missing: ``LedgerBreak/sequence`` is the first missing number.
        case deleted
        /// The record was written at another place in the chain (its content matches its hash at the
        /// sequence number in ``LedgerBreak/detail``).
        case reordered
        /// The record's signature was refused by the verifier.
        case forged
    }

    public var problem: Problem
    /// The record named.
    public var sequence: Int
    /// Its kind, when the stored row still says one.
    public var kind: LedgerRecord.Kind?
    /// What was found, in a sentence.
    public var detail: String

    public init(_ problem: Problem, sequence: Int, kind: LedgerRecord.Kind?, detail: String) {
        self.problem = problem
        self.sequence = sequence
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        "record \(sequence)\(kind.map { " (\($0.rawValue))" } ?? "") \(problem.rawValue): \(detail)"
    }
}
