import Foundation
import GreenlightJSON
import GreenlightLedger

/// What happened to a rollout, as a `rollout-event` record of the release: a weight set (by the admin
/// API, a command or the controller), a drain, a rollback. The canary's history in the ledger.
public struct RolloutEvent: Sendable, Hashable {
    public enum Action: String, Sendable, CaseIterable {
        /// The canary's weight changed.
        case weight
        /// The canary was drained: weight 0, in-flight requests finish.
        case drain
        /// The rollout was rolled back.
        case rollback
        /// `greenlight rollout` began a rollout (or resumed one).
        case start
        /// The controller moved to a step (the weight is `to`).
        case step
        /// One analysis interval of a step was judged; `evidence` holds the judgement.
        case analysis
        /// A person approved the next step.
        case approval
        /// The last step was reached: the canary is the release.
        case promote
    }

    public var action: Action
    /// The canary's weight before and after, in percent.
    /// Percent, to hundredths.
    public var from: Double
    public var to: Double
    /// Who or what made the change: `admin-api 127.0.0.1`, `greenlight rollout`, a person's name.
    public var by: String
    public var reason: String?
    /// The judge's numbers behind an analysis or a rollback.
    public var evidence: JSONValue?

    public init(action: Action, from: Double, to: Double, by: String, reason: String? = nil) {
        self.action = action
        self.from = from
        self.to = to
        self.by = by
        self.reason = reason
    }

    /// A whole percent is written as an integer (as records before fractional weights were), a fraction
    /// as a number.
    static func percent(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
    }

    static func percent(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let int)?: Double(int)
        case .double(let double)?: double
        default: nil
        }
    }

    var payload: JSONValue {
        var members: [(String, JSONValue)] = [
            ("action", .string(action.rawValue)), ("by", .string(by)), ("from", Self.percent(from)),
            ("to", Self.percent(to)),
        ]
        if let reason, !reason.isEmpty { members.append(("reason", .string(reason))) }
        if let evidence { members.append(("evidence", evidence)) }
        return .object(members)
    }

    /// The event a `rollout-event` record holds; nil for a record that is not one.
    public init?(record: LedgerRecord) {
        guard record.kind == .rolloutEvent, case .string(let action)? = record.payload["action"],
            let action = Action(rawValue: action), let from = Self.percent(record.payload["from"]),
            let to = Self.percent(record.payload["to"]), case .string(let by)? = record.payload["by"]
        else { return nil }
        var reason: String?
        if case .string(let text)? = record.payload["reason"] { reason = text }
        self.init(action: action, from: from, to: to, by: by, reason: reason)
        evidence = record.payload["evidence"]
    }
}

/// Appends a release's rollout events to the ledger.
public struct RolloutEventLog: Sendable {
    public let store: any LedgerStore
    /// `service@version`.
    public let release: String

    public init(store: any LedgerStore, release: String) {
        self.store = store
        self.release = release
    }

    @discardableResult
    public func record(_ event: RolloutEvent) async throws -> LedgerRecord {
        try await store.append(kind: .rolloutEvent, release: release, payload: event.payload)
    }

    /// The release's events, oldest first.
    public func events() async throws -> [RolloutEvent] {
        try await store.allRecords(release: release, kind: .rolloutEvent).compactMap(RolloutEvent.init(record:))
    }
}
