package import Foundation
import GreenlightLedger
import GreenlightObserve
import Synchronization

/// The alert notifications Alertmanager sent the server (the "page" of the alert path), the last 500.
final class AlertInbox: Sendable {
    static let capacity = 500
    private let alerts = Mutex<[Components.Schemas.ReceivedAlert]>([])

    /// Keeps the alerts of a notification; returns how many it held.
    func receive(_ notification: WebhookNotification, at time: Date = Date()) -> Int {
        // Kept in memory: each text is cut to 1,024 characters, so 500 alerts stay small.
        func cut(_ text: String) -> String { text.count > 1024 ? String(text.prefix(1024)) + "…" : text }
        func cutAll(_ map: [String: String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: map.prefix(64).map { (cut($0.key), cut($0.value)) })
        }
        let received: [Components.Schemas.ReceivedAlert] = notification.alerts.prefix(Self.capacity).map { alert in
            var alert = alert
            alert.labels = cutAll(alert.labels)
            alert.annotations = cutAll(alert.annotations)
            return Components.Schemas.ReceivedAlert(
                receivedAt: LedgerTime.string(time), receiver: notification.receiver, status: alert.status,
                alertname: alert.labels["alertname"], severity: alert.labels["severity"],
                summary: alert.annotations["summary"] ?? alert.annotations["description"],
                runbookUrl: alert.annotations["runbook_url"] ?? alert.annotations["runbook"], startsAt: alert.startsAt,
                labels: .init(additionalProperties: alert.labels),
                annotations: .init(additionalProperties: alert.annotations))
        }
        alerts.withLock {
            $0 += received
            if $0.count > Self.capacity { $0.removeFirst($0.count - Self.capacity) }
        }
        return received.count
    }

    var all: [Components.Schemas.ReceivedAlert] { alerts.withLock { $0 } }
}
