import Foundation
import GreenlightHTTP
import GreenlightJSON
import GreenlightLedger

extension WebhookTarget {
    /// The request that delivers `event`, signed at `now` (a JSON target signs each attempt anew); throws
    /// ``WebhookSkip`` when the target has nowhere to put it (a GitHub target, a ticket that is no issue).
    func request(for event: WebhookEvent, now: Date = Date()) throws -> HTTPRequestRecord {
        let common = [("User-Agent", "greenlight-webhooks"), ("Content-Type", "application/json")]
        switch kind {
        case .json:
            let body = Data(Self.envelope(event).serialized().utf8)
            let timestamp = Int(now.timeIntervalSince1970)
            // validate() made sure the secret and its key are there.
            let key = WebhookSignature.key(secret: secret ?? "")!
            let signature = WebhookSignature.sign(id: event.id, timestamp: timestamp, body: body, key: key)
            return HTTPRequestRecord(
                method: "POST", url: url ?? "",
                headers: common + [
                    ("webhook-id", event.id), ("webhook-timestamp", String(timestamp)),
                    ("webhook-signature", signature),
                ], body: body)
        case .slack:
            return HTTPRequestRecord(
                method: "POST", url: url ?? "", headers: common,
                body: Data(Self.slackMessage(event).serialized().utf8))
        case .github:
            guard let issue = githubIssue(for: event) else {
                throw WebhookSkip(
                    "the ticket \(event.ticket.map { "'\($0)'" } ?? "(none)") of \(event.release) names no GitHub issue or pull request, and the target names no repository and issue"
                )
            }
            let root = api.hasSuffix("/") ? String(api.dropLast()) : api
            let body = JSONValue.object([("body", .string(Self.githubComment(event)))])
            return HTTPRequestRecord(
                method: "POST", url: "\(root)/repos/\(issue.owner)/\(issue.repo)/issues/\(issue.number)/comments",
                headers: common + [
                    ("Authorization", "Bearer \(token ?? "")"), ("Accept", "application/vnd.github+json"),
                    ("X-GitHub-Api-Version", "2022-11-28"),
                ], body: Data(body.serialized().utf8))
        }
    }

    /// The issue a GitHub target comments on: the ticket's, else the target's own.
    func githubIssue(for event: WebhookEvent) -> GitHubIssue? {
        let apiHost = URLComponents(string: api)?.host
        if let ticket = event.ticket, let issue = GitHubIssue(ticket: ticket, host: apiHost) { return issue }
        if let repository, let issue { return GitHubIssue(repository: repository, number: issue) }
        return nil
    }

    /// The body of a JSON delivery.
    static func envelope(_ event: WebhookEvent) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(event.id)), ("type", .string(event.kind.rawValue)), ("release", .string(event.release)),
        ]
        if let ticket = event.ticket { members.append(("ticket", .string(ticket))) }
        members += [
            ("time", .string(LedgerTime.string(event.time))), ("sequence", .int(event.sequence)),
            ("record_hash", .string(event.recordHash)), ("summary", .string(event.summary)), ("data", event.data),
        ]
        return .object(members)
    }

    /// A Slack message: the summary as `text` (notifications), a section and a context block.
    static func slackMessage(_ event: WebhookEvent) -> JSONValue {
        let context = event.facts.map { "\(slackEscaped($0.0)): \(slackEscaped($0.1))" }.joined(separator: " · ")
        return .object([
            ("text", .string(event.summary)),
            (
                "blocks",
                .array([
                    .object([
                        ("type", .string("section")),
                        (
                            "text",
                            .object([
                                ("type", .string("mrkdwn")),
                                ("text", .string("*\(slackEscaped(event.release))*: \(slackEscaped(event.headline))")),
                            ])
                        ),
                    ]),
                    .object([
                        ("type", .string("context")),
                        ("elements", .array([.object([("type", .string("mrkdwn")), ("text", .string(context))])])),
                    ]),
                ])
            ),
        ])
    }

    /// Slack's mrkdwn escapes `&`, `<` and `>`.
    static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A GitHub comment: the headline in bold, the gate's approvals or what is missing as a list, the
    /// facts, and where in the ledger it came from.
    static func githubComment(_ event: WebhookEvent) -> String {
        var lines = ["**greenlight** · `\(event.release)` · \(event.headline)", ""]
        if event.kind == .gateDecided {
            for approval in event.approvalList { lines.append("- ✓ \(approval.role): \(approval.signer)") }
            for missing in event.strings("missing") { lines.append("- ✗ \(missing)") }
            if lines.count > 2 { lines.append("") }
        }
        for (name, value) in event.facts.dropLast() { lines.append("- \(name): \(value)") }
        if let last = event.facts.last {
            lines += ["", "<sub>\(last.0) \(last.1) · \(event.kind.rawValue) · \(event.id)</sub>"]
        }
        return lines.joined(separator: "\n")
    }
}

/// A delivery the target has no place for; recorded as skipped, not as a failure.
struct WebhookSkip: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
