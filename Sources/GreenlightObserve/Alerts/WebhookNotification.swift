import Foundation

/// A notification Alertmanager's webhook integration posts: payload version 4.
package struct WebhookNotification: Decodable, Sendable {
    /// One alert of the notification.
    package struct Alert: Decodable, Sendable {
        /// `firing` or `resolved`.
        package var status: String
        package var labels: [String: String]
        package var annotations: [String: String]
        package var startsAt: String
        package var endsAt: String
        package var generatorURL: String?
        package var fingerprint: String
    }

    package var version: String
    /// Identifies the group, to deduplicate.
    package var groupKey: String
    /// `firing` or `resolved`.
    package var status: String
    /// The receiver the route chose.
    package var receiver: String
    package var groupLabels: [String: String]
    package var commonLabels: [String: String]
    package var commonAnnotations: [String: String]
    /// The link back to the Alertmanager.
    package var externalURL: String
    /// How many alerts `max_alerts` left out.
    package var truncatedAlerts: Int?
    package var alerts: [Alert]

    /// Reads a payload, refusing any that is not version 4 or lacks a field version 4 has.
    package init(parsing body: Data) throws(WebhookPayloadError) {
        guard !body.isEmpty else { throw WebhookPayloadError("the body is empty") }
        do {
            self = try JSONDecoder().decode(Self.self, from: body)
        } catch {
            throw WebhookPayloadError(DecodingProblem.text(error))
        }
        guard version == "4" else {
            throw WebhookPayloadError(
                "version \"\(version)\" is not supported: greenlight reads webhook payload version 4")
        }
        for (index, alert) in alerts.enumerated() where !["firing", "resolved"].contains(alert.status) {
            throw WebhookPayloadError("'alerts[\(index)].status' is \"\(alert.status)\", not firing or resolved")
        }
    }

    /// The alert whose label `name` is `value`.
    package func alert(labelled name: String, _ value: String) -> Alert? {
        alerts.first { $0.labels[name] == value }
    }
}

/// A webhook payload greenlight refused, and why.
package struct WebhookPayloadError: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}
