import Foundation

/// Where events are delivered, and which: a JSON endpoint signed as Standard Webhooks, a Slack incoming
/// webhook, or comments on a GitHub issue or pull request.
///
/// Decodable from a configuration file's entry (JSON, or YAML through Yams' decoder):
/// `{name, type: json|slack|github, url, secret, token, api, repository, issue, events}`. Secrets (`secret`,
/// `token`, a Slack `url`) are taken as given: the caller resolves `${VAR}` references before.
public struct WebhookTarget: Sendable, Hashable, Decodable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The event as JSON, signed with HMAC-SHA256 as the Standard Webhooks specification says.
        case json
        /// A Slack-compatible message (`text` and `blocks`) to an incoming-webhook URL.
        case slack
        /// A Markdown comment on the release ticket's GitHub issue or pull request.
        case github
    }

    public static let defaultGitHubAPI = "https://api.github.com"

    /// Names the target in deliveries and logs; unique among a dispatcher's targets.
    public var name: String
    public var kind: Kind
    /// Where a `json` or `slack` target posts. A Slack URL is a secret: it is masked wherever it appears.
    public var url: String?
    /// The HMAC key of a `json` target: `whsec_` and base64, or else the raw text's bytes.
    public var secret: String?
    /// The token a `github` target sends as `Authorization: Bearer`.
    public var token: String?
    /// The GitHub REST API's root (GitHub Enterprise: `https://HOST/api/v3`).
    public var api: String
    /// `owner/repo` and the issue or pull request number a `github` target comments on when a release's
    /// ticket names none.
    public var repository: String?
    public var issue: Int?
    /// The events the target hears of; nil for all.
    public var events: Set<WebhookEvent.Kind>?

    public init(
        name: String, kind: Kind, url: String? = nil, secret: String? = nil, token: String? = nil,
        api: String = WebhookTarget.defaultGitHubAPI, repository: String? = nil, issue: Int? = nil,
        events: Set<WebhookEvent.Kind>? = nil
    ) throws {
        self.name = name
        self.kind = kind
        self.url = url
        self.secret = secret
        self.token = token
        self.api = api
        self.repository = repository
        self.issue = issue
        self.events = events
        try validate()
    }

    /// A JSON target signed with `secret`.
    public static func json(name: String, url: String, secret: String, events: Set<WebhookEvent.Kind>? = nil)
        throws -> WebhookTarget
    {
        try WebhookTarget(name: name, kind: .json, url: url, secret: secret, events: events)
    }

    /// A Slack incoming webhook.
    public static func slack(name: String, url: String, events: Set<WebhookEvent.Kind>? = nil) throws
        -> WebhookTarget
    {
        try WebhookTarget(name: name, kind: .slack, url: url, events: events)
    }

    /// GitHub comments with `token`, on the ticket's issue, else on `repository`'s `issue`.
    public static func github(
        name: String, token: String, api: String = WebhookTarget.defaultGitHubAPI, repository: String? = nil,
        issue: Int? = nil, events: Set<WebhookEvent.Kind>? = nil
    ) throws -> WebhookTarget {
        try WebhookTarget(
            name: name, kind: .github, token: token, api: api, repository: repository, issue: issue, events: events)
    }

    enum CodingKeys: String, CodingKey {
        case name, type, url, secret, token, api, repository, issue, events
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        let type = try container.decode(String.self, forKey: .type)
        guard let kind = Kind(rawValue: type) else {
            throw WebhookConfigurationError(
                "webhook '\(name)': type '\(type)' is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self.kind = kind
        url = try container.decodeIfPresent(String.self, forKey: .url)
        secret = try container.decodeIfPresent(String.self, forKey: .secret)
        token = try container.decodeIfPresent(String.self, forKey: .token)
        api = try container.decodeIfPresent(String.self, forKey: .api) ?? Self.defaultGitHubAPI
        repository = try container.decodeIfPresent(String.self, forKey: .repository)
        issue = try container.decodeIfPresent(Int.self, forKey: .issue)
        if let names = try container.decodeIfPresent([String].self, forKey: .events) {
            var events: Set<WebhookEvent.Kind> = []
            for name in names {
                guard let event = WebhookEvent.Kind(rawValue: name) else {
                    throw WebhookConfigurationError(
                        "webhook '\(self.name)': event '\(name)' is not one of \(WebhookEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                events.insert(event)
            }
            self.events = events
        }
        try validate()
    }

    /// Throws when a member the kind needs is missing or malformed.
    public func validate() throws {
        func fail(_ text: String) -> WebhookConfigurationError {
            WebhookConfigurationError("webhook '\(name)' (\(kind.rawValue)): \(text)")
        }
        guard !name.isEmpty else { throw WebhookConfigurationError("a webhook has an empty name") }
        switch kind {
        case .json, .slack:
            // The URL may be a secret (Slack's is): it is not quoted.
            guard let url, let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme ?? ""),
                parts.host?.isEmpty == false
            else { throw fail("url must be an http or https URL") }
            if kind == .json {
                guard let secret, !secret.isEmpty else { throw fail("a secret is required to sign deliveries") }
                guard WebhookSignature.key(secret: secret) != nil else {
                    throw fail("the secret starts with whsec_ but the rest is not base64")
                }
            }
        case .github:
            guard let token, !token.isEmpty else { throw fail("a token is required") }
            guard let parts = URLComponents(string: api), ["http", "https"].contains(parts.scheme ?? "") else {
                throw fail("api '\(api)' is not an http or https URL")
            }
            if (repository == nil) != (issue == nil) {
                throw fail("repository and issue go together")
            }
            if let repository, GitHubIssue(repository: repository, number: 1) == nil {
                throw fail("repository '\(repository)' is not owner/repo")
            }
        }
    }

    /// Whether the target hears of `kind`.
    public func wants(_ kind: WebhookEvent.Kind) -> Bool { events?.contains(kind) ?? true }

    /// The values masked in every text the target's deliveries produce.
    var secrets: [String] {
        var secrets = [secret, token].compactMap { $0 }
        if kind == .slack, let url {
            // The whole URL, and its path on its own (a server may quote it back).
            secrets.append(url)
            if let path = URLComponents(string: url)?.path, path.count > 1 { secrets.append(path) }
        }
        // A JSON endpoint's URL may carry a token in its query or user info.
        if kind == .json, let url, let parts = URLComponents(string: url) {
            secrets += [parts.query, parts.password].compactMap { $0 }
        }
        return secrets
    }

    /// The name, the kind and where it goes, with nothing secret: `team-chat (slack, hooks.slack.com)`.
    public var description: String {
        let host =
            switch kind {
            case .json, .slack: url.flatMap { URLComponents(string: $0)?.host } ?? "?"
            case .github: repository.map { "\($0)#\(issue ?? 0)" } ?? URLComponents(string: api)?.host ?? "?"
            }
        return "\(name) (\(kind.rawValue), \(host))"
    }
}

/// A webhook configuration that cannot be used, with what to change.
public struct WebhookConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
