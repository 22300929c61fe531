import Foundation
import GreenlightCore
import GreenlightJSON

/// What a `report` record holds: the readiness report whole, and what the gate needs from it and from the
/// spec it was run from (the roles that must sign, whether the author may approve).
public struct ReportEntry: Codable, Sendable, Hashable {
    public static let format = "greenlight-report-entry"

    public var format: String = ReportEntry.format
    /// `sha256:` digest of the report (``Report/computeDigest()``): what sign-offs bind to.
    public var digest: String
    /// GO or NO-GO.
    public var verdict: String
    public var riskClass: String
    /// The roles that must approve: the spec's `signoff.required` and the risk class's, sorted.
    public var requiredRoles: [String]
    /// `signoff.forbid_author_approval` of the spec: the release's author may not approve it.
    public var forbidAuthorApproval: Bool
    public var author: String?
    public var generatedAt: String
    /// The waivers the report applied.
    public var waivers: [Waiver]

    public struct Waiver: Codable, Sendable, Hashable {
        public var check: String
        public var approver: String
        public var expires: String
        public var reason: String
    }

    /// The entry of `report` (which must carry its digest) with the roles required by the spec.
    public init(report: Report, specRoles: [String], forbidAuthorApproval: Bool) {
        digest = report.digest ?? report.computeDigest()
        verdict = report.verdict.decision.rawValue
        riskClass = report.risk.riskClass
        requiredRoles = Array(Set(specRoles).union(report.risk.requires.signoff)).sorted()
        self.forbidAuthorApproval = forbidAuthorApproval
        author = report.release.author
        generatedAt = report.generatedAt
        waivers = report.checks.compactMap { check in
            check.waiver.map {
                Waiver(check: check.id, approver: $0.approver, expires: $0.expires.description, reason: $0.reason)
            }
        }
    }

    /// The record payload: this entry's members and the report under `report`.
    func payload(report: Report) throws -> JSONValue {
        guard case .object(var members) = try LedgerJSON.payload(self) else {
            throw LedgerError(.invalidRecord, "a report entry is not a JSON object")
        }
        var copy = report
        copy.digest = digest
        members.append(("report", try JSONValue(parsing: copy.json())))
        return .object(members)
    }

    /// The entry of a `report` record.
    public static func read(_ record: LedgerRecord) throws -> ReportEntry {
        do {
            let entry = try LedgerJSON.decode(ReportEntry.self, record.payload)
            guard entry.format == format else { throw LedgerError(.unreadableRecord, "format '\(entry.format)'") }
            return entry
        } catch {
            throw LedgerError(
                .unreadableRecord, "record \(record.sequence) is not a report entry: \(error)",
                sequence: record.sequence)
        }
    }

    /// Throws unless the entry a `report` record carries is the one its report makes: the digest, verdict,
    /// risk class, author, time and waivers come from the report, and the required roles include the
    /// risk class's. What the gate reads from the entry then cannot say more than the signed-for report.
    public static func checkAgreement(_ record: LedgerRecord) throws {
        let entry = try read(record)
        let report = try Self.report(record)
        guard let digest = report.digest, report.computeDigest() == digest else {
            throw LedgerError(.invalidRecord, "the report's digest does not match its content")
        }
        let made = ReportEntry(
            report: report, specRoles: entry.requiredRoles, forbidAuthorApproval: entry.forbidAuthorApproval)
        guard made == entry else {
            throw LedgerError(
                .invalidRecord,
                "the record's entry (verdict \(entry.verdict), roles \(entry.requiredRoles.joined(separator: ", ")), author \(entry.author ?? "none")) is not the one its report makes (verdict \(made.verdict), roles \(made.requiredRoles.joined(separator: ", ")), author \(made.author ?? "none"))"
            )
        }
    }

    /// The report a `report` record holds.
    static func report(_ record: LedgerRecord) throws -> Report {
        guard let json = record.payload["report"] else {
            throw LedgerError(
                .unreadableRecord, "record \(record.sequence) holds no report", sequence: record.sequence)
        }
        do {
            return try Report.decode(Data(json.serialized().utf8))
        } catch {
            throw LedgerError(
                .unreadableRecord, "record \(record.sequence): the report cannot be read: \(error)",
                sequence: record.sequence)
        }
    }
}

/// What a `release` record holds: the release as the spec names it.
public struct ReleaseEntry: Codable, Sendable, Hashable {
    public static let format = "greenlight-release"

    public var format: String = ReleaseEntry.format
    public var service: String
    public var version: String
    public var owner: String
    public var author: String?
    public var ticket: String?

    public init(_ release: Report.Release) {
        service = release.service
        version = release.version
        owner = release.owner
        author = release.author
        ticket = release.ticket
    }

    /// `service@version`: how the ledger names a release.
    public var name: String { "\(service)@\(version)" }

    /// The entry a `release` record holds.
    public static func read(_ record: LedgerRecord) throws -> ReleaseEntry {
        try LedgerJSON.decode(ReleaseEntry.self, record.payload)
    }
}

/// What a `waiver` record holds: a waiver a report applied, recorded the first time it is seen.
public struct WaiverEntry: Codable, Sendable, Hashable {
    public static let format = "greenlight-waiver"

    public var format: String = WaiverEntry.format
    public var check: String
    public var approver: String
    public var expires: String
    public var reason: String
    /// The report that first applied it.
    public var reportDigest: String

    /// The entry a `waiver` record holds.
    public static func read(_ record: LedgerRecord) throws -> WaiverEntry {
        let entry = try LedgerJSON.decode(WaiverEntry.self, record.payload)
        guard entry.format == format else { throw LedgerError(.invalidRecord, "format '\(entry.format)'") }
        return entry
    }
}
