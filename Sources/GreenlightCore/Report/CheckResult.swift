import Foundation

/// The outcome of one check: a checklist item, a risk control, a smoke step, a dependency…
/// Every runner returns these, so reports, the gate and the ledger treat all checks alike.
public struct CheckResult: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    public var category: Category
    public var status: CheckStatus
    /// One line saying what was found.
    public var summary: String
    /// Further lines: expected and actual, the exchange, the output of a command.
    public var details: [String]
    public var measurements: [Measurement]
    public var evidence: [EvidenceRecord]
    public var waiver: WaiverRecord?
    /// A failure of a check that is not required is shown, but does not make the verdict NO-GO.
    public var required: Bool
    public var durationSeconds: Double

    public init(
        id: String, title: String, category: Category, status: CheckStatus, summary: String, details: [String] = [],
        measurements: [Measurement] = [], evidence: [EvidenceRecord] = [], waiver: WaiverRecord? = nil,
        required: Bool = true, durationSeconds: Double = 0
    ) {
        self.id = id
        self.title = title
        self.category = category
        self.status = status
        self.summary = summary
        self.details = details
        self.measurements = measurements
        self.evidence = evidence
        self.waiver = waiver
        self.required = required
        self.durationSeconds = durationSeconds
    }

    /// Whether this result, as it stands, stops the release.
    public var blocks: Bool { required && status.blocks }

    public enum Category: String, Codable, Sendable, CaseIterable {
        case checklist, risk, smoke, dependencies, parity, load, observability
    }

    public struct Measurement: Codable, Sendable, Hashable {
        public var name: String
        public var value: Double
        public var unit: String
        public init(name: String, value: Double, unit: String) {
            self.name = name
            self.value = value
            self.unit = unit
        }
    }

    public struct EvidenceRecord: Codable, Sendable, Hashable {
        /// file, url, command, spec or check (another check's id).
        public var kind: String
        public var reference: String
        /// SHA-256 of the evidence's content, where it has one (a file's bytes).
        public var sha256: String?
        public init(kind: String, reference: String, sha256: String? = nil) {
            self.kind = kind
            self.reference = reference
            self.sha256 = sha256
        }
    }

    public struct WaiverRecord: Codable, Sendable, Hashable {
        public var reason: String
        public var approver: String
        public var expires: CalendarDate
        /// The status the item would have without the waiver.
        public var underlyingStatus: CheckStatus
    }
}

/// pass, warn, fail, waived, not-run, skipped or error.
public enum CheckStatus: String, Codable, Sendable, CaseIterable, Hashable {
    case pass
    case warn
    case fail
    case waived
    case notRun = "not-run"
    case skipped
    case error

    /// fail, error and not-run stop a release; warn, waived and skipped do not.
    public var blocks: Bool { self == .fail || self == .error || self == .notRun }

    /// Orders statuses from best to worst, to combine several checks into one.
    public var severity: Int {
        switch self {
        case .pass: return 0
        case .skipped: return 1
        case .waived: return 2
        case .warn: return 3
        case .notRun: return 4
        case .fail: return 5
        case .error: return 6
        }
    }
}
