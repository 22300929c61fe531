import Foundation
import GreenlightJSON
import GreenlightLedger

/// One thing worth telling the world about a release, read from one ledger record.
public struct WebhookEvent: Sendable, Hashable {
    /// What happened; its raw value is the `type` of a JSON delivery and the name a target's `events`
    /// filter uses.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case reportRecorded = "report.recorded"
        case signoffRecorded = "signoff.recorded"
        case gateDecided = "gate.decided"
        case rolloutStep = "rollout.step"
        case rolloutRollback = "rollout.rollback"
        case rolloutPromoted = "rollout.promoted"
    }

    /// Unique per record: its sequence and the start of its hash (`42-3f9a0c1d2e4b5a69`). A
    /// redelivery of the same record carries the same id, so that a receiver can drop duplicates.
    public var id: String
    public var kind: Kind
    /// `service@version`.
    public var release: String
    /// When the record was appended.
    public var time: Date
    public var sequence: Int
    /// The record's hash.
    public var recordHash: String
    /// The release's ticket (from its latest `release` record), when it has one.
    public var ticket: String?
    /// What the record says, in snake_case members (see docs/webhooks.md for each kind).
    public var data: JSONValue

    public init(
        id: String, kind: Kind, release: String, time: Date, sequence: Int, recordHash: String, ticket: String?,
        data: JSONValue
    ) {
        self.id = id
        self.kind = kind
        self.release = release
        self.time = time
        self.sequence = sequence
        self.recordHash = recordHash
        self.ticket = ticket
        self.data = data
    }

    /// The kind of event `record` makes; nil for a record no webhook hears of (a release, a waiver, a
    /// signer, a flag change, a rollout's weight, analysis or approval).
    public static func kind(of record: LedgerRecord) -> Kind? {
        guard record.release != nil else { return nil }
        switch record.kind {
        case .report: return .reportRecorded
        case .signoff: return .signoffRecorded
        case .gate: return .gateDecided
        case .rolloutEvent:
            switch record.payload["action"] {
            case .string("step")?: return .rolloutStep
            case .string("rollback")?: return .rolloutRollback
            case .string("promote")?: return .rolloutPromoted
            default: return nil
            }
        default: return nil
        }
    }

    /// The event of `record`, with the release's `ticket`; nil when the record is not event-worthy.
    public init?(record: LedgerRecord, ticket: String?) {
        guard let kind = Self.kind(of: record), let release = record.release else { return nil }
        self.init(
            id: "\(record.sequence)-\(record.hash.prefix(16))", kind: kind, release: release, time: record.time,
            sequence: record.sequence, recordHash: record.hash, ticket: ticket,
            data: Self.data(of: record, kind: kind))
    }

    /// The members of the payload an event carries: a report's summary without the report itself (a
    /// receiver that wants it reads the ledger), and the whole payload of the other kinds.
    static func data(of record: LedgerRecord, kind: Kind) -> JSONValue {
        guard case .object(let members) = record.payload else { return record.payload }
        switch kind {
        case .reportRecorded:
            let kept: Set = [
                "digest", "verdict", "risk_class", "required_roles", "author", "generated_at", "waivers",
            ]
            return .object(members.filter { kept.contains($0.0) })
        case .signoffRecorded:
            return .object(members.filter { $0.0 != "format" })
        case .gateDecided, .rolloutStep, .rolloutRollback, .rolloutPromoted:
            return .object(members)
        }
    }
}
