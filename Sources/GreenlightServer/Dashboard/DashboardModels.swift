internal import Foundation

// What the templates read. Plain values only: every string a template shows goes through `{{ }}`, which
// HTML-escapes it; the only raw insertions (`{{{ }}}`) are the SVG charts, which greenlight builds itself
// and escapes as it builds them.

/// The frame of every page: who is signed in, which page is current, the form token.
struct Chrome: Sendable {
    var signer: String
    var roles: String
    var csrf: String
    /// Which navigation link is the current page (Mirror, which the templates read through, sees only
    /// stored properties).
    var onReleases: Bool
    var onFlags: Bool
}

/// `/login`.
struct LoginPage: Sendable {
    var error: String?
    var next: String
}

/// A page that only says what went wrong (an unknown release, a refused form).
struct MessagePage: Sendable {
    var chrome: Chrome?
    var title: String
    var message: String
    var back: String
}

/// `/`.
struct ReleasesPage: Sendable {
    var chrome: Chrome
    var releases: [ReleaseRow]
    var hasReleases: Bool
    var failures: [DeliveryRow]
    var hasFailures: Bool
    var deliveriesWired: Bool
}

struct ReleaseRow: Sendable {
    var name: String
    var link: String
    var verdict: String
    var verdictClass: String
    var riskClass: String
    var gate: String
    var gateClass: String
    var missing: String
    var canary: String
    var weight: String
    var reportedAt: String
}

struct DeliveryRow: Sendable {
    var target: String
    var event: String
    var status: String
    var detail: String
    var time: String
}

/// `/releases/{release}`.
struct ReleasePage: Sendable {
    var chrome: Chrome
    var name: String
    var owner: String
    var author: String
    var ticket: String
    var ticketLink: String?
    var verdict: String
    var verdictClass: String
    var gateOpen: Bool
    var missing: [String]
    var ignored: [String]
    var hasIgnored: Bool
    var report: ReportView?
    var roles: [RoleRow]
    var hasRoles: Bool
    var pendingRoles: [RoleRow]
    var hasPending: Bool
    var signOffs: [SignOffRow]
    var hasSignOffs: Bool
    var canaryLink: String
    var serverURL: String
}

struct ReportView: Sendable {
    var digest: String
    var generatedAt: String
    var recordedAt: String
    var record: Int
    var checks: [CheckRow]
    var riskClass: String
    var likelihood: Int
    var impact: Int
    var score: Int
    var impactNote: String
    var factors: [FactorRow]
    var hasFactors: Bool
    var requirements: [String]
    var riskSummary: String?
    var matrixSVG: String
    var loadHTML: String?
}

struct FactorRow: Sendable {
    var name: String
    var value: String
    var score: Int
}

struct CheckRow: Sendable {
    var id: String
    var title: String
    var status: String
    var statusClass: String
    var summary: String
    var required: String
    var waiver: String?
    var details: [String]
    var hasDetails: Bool
    var evidence: [EvidenceRow]
    var hasEvidence: Bool
    var hasMore: Bool
}

struct EvidenceRow: Sendable {
    var kind: String
    var reference: String
    var sha256: String?
}

struct RoleRow: Sendable {
    var role: String
    var approved: Bool
    var signer: String
    var signedAt: String
    var record: Int
    var command: String
}

struct SignOffRow: Sendable {
    var record: Int
    var signer: String
    var role: String
    var decision: String
    var decisionClass: String
    var comment: String
    var signedAt: String
}

/// `/releases/{release}/canary`.
struct CanaryPage: Sendable {
    var chrome: Chrome
    var name: String
    var releaseLink: String
    var fragmentLink: String
    var live: CanaryLive
}

/// The part of the canary page that refreshes itself (also served alone as the fragment).
struct CanaryLive: Sendable {
    var state: String
    var weight: String
    var lastScore: String
    var updated: String
    var chartSVG: String
    var events: [EventRow]
    var hasEvents: Bool
    var count: String
}

struct EventRow: Sendable {
    var record: Int
    var time: String
    var action: String
    var from: String
    var to: String
    var score: String
    var outcome: String
    var by: String
    var reason: String
}

/// `/flags`.
struct FlagsPage: Sendable {
    var chrome: Chrome
    var flags: [FlagRow]
    var hasFlags: Bool
    var mayOperate: Bool
    var whyNot: String
    var problems: [String]
    var hasProblems: Bool
}

struct FlagRow: Sendable {
    var key: String
    var killed: Bool
    var state: String
    var stateClass: String
    var serving: String
    var variants: String
    var changedBy: String
    var changedAt: String
    var reason: String?
    var record: Int
    var killAction: String
    var reviveAction: String
}

/// The confirmation between a kill (or revive) button and the change.
struct ConfirmPage: Sendable {
    var chrome: Chrome
    var key: String
    var verb: String
    var action: String
    var consequence: String
    var kill: Bool
}
