import Foundation
import GreenlightJSON

/// An alert as `POST /api/v2/alerts` takes it (`postableAlert` in Alertmanager's OpenAPI spec).
package struct PostableAlert: Sendable {
    package var labels: [(String, String)]
    package var annotations: [(String, String)]
    package var startsAt: Date
    /// When the alert stops firing: in the past or now resolves it.
    package var endsAt: Date?
    package var generatorURL: String?

    package init(
        labels: [(String, String)], annotations: [(String, String)] = [], startsAt: Date, endsAt: Date? = nil,
        generatorURL: String? = nil
    ) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    /// The value of label `name`.
    package func label(_ name: String) -> String? { labels.first { $0.0 == name }?.1 }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("labels", .object(labels.map { ($0.0, .string($0.1)) })),
            ("annotations", .object(annotations.map { ($0.0, .string($0.1)) })),
            ("startsAt", .string(Self.timestamp(startsAt))),
        ]
        if let endsAt { members.append(("endsAt", .string(Self.timestamp(endsAt)))) }
        if let generatorURL { members.append(("generatorURL", .string(generatorURL))) }
        return .object(members)
    }

    /// RFC 3339 in UTC with milliseconds, as Alertmanager writes its own times.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// A receiver, as the API names it.
package struct AlertmanagerReceiver: Decodable, Sendable, Hashable {
    package var name: String
}

/// An alert as Alertmanager holds it (`gettableAlert`).
package struct GettableAlert: Decodable, Sendable {
    package struct Status: Decodable, Sendable {
        /// `unprocessed`, `active` or `suppressed`.
        package var state: String
        package var silencedBy: [String]
        package var inhibitedBy: [String]
    }

    package var labels: [String: String]
    package var annotations: [String: String]
    package var fingerprint: String
    package var startsAt: String
    package var endsAt: String
    package var status: Status
    package var receivers: [AlertmanagerReceiver]
}

/// Alerts grouped for one receiver by one route (`alertGroup`).
package struct AlertGroup: Decodable, Sendable {
    package var labels: [String: String]
    package var receiver: AlertmanagerReceiver
    package var alerts: [GettableAlert]
}

/// What `GET /api/v2/status` tells (`alertmanagerStatus`): the version and the configuration in force.
package struct AlertmanagerStatus: Decodable, Sendable {
    package struct VersionInfo: Decodable, Sendable {
        package var version: String
    }

    package struct Config: Decodable, Sendable {
        /// The configuration as YAML, secrets shown as `<secret>`.
        package var original: String
    }

    package var versionInfo: VersionInfo
    package var config: Config
}
