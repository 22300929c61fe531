import Foundation
import GreenlightJSON
import Testing

@testable import GreenlightObserve

@Suite("What greenlight sends to Alertmanager and reads back")
struct AlertPayloadTests {
    @Test("a test alert says plainly it is a test, carries its test id and keeps the rule's labels and runbook")
    func postable() throws {
        let alert = TestAlert(
            name: "CheckoutDown", labels: [("severity", "page")],
            annotations: [("summary", "{{ $labels.instance }} is down"), ("runbook_url", "https://runbooks.example/x")])
        let start = Date(timeIntervalSince1970: 1_767_261_600.5)
        let posted = alert.postable(testID: "abc", startsAt: start, endsAt: start.addingTimeInterval(70))
        let json = posted.json
        #expect(
            json["labels"]?.serialized()
                == #"{"alertname":"CheckoutDown","severity":"page","greenlight_test_id":"abc"}"#)
        #expect(
            json["annotations"]?["summary"] == .string("greenlight readiness test of CheckoutDown: not a real incident")
        )
        #expect(json["annotations"]?["runbook_url"] == .string("https://runbooks.example/x"))
        #expect(json["annotations"]?["description"] != nil)
        #expect(json["startsAt"] == .string("2026-01-01T10:00:00.500Z"))
        #expect(json["endsAt"] == .string("2026-01-01T10:01:10.500Z"))
        #expect(json["generatorURL"] == nil)
    }

    @Test("label filters are Alertmanager matchers, escaped for the query")
    func query() {
        #expect(AlertmanagerClient.query([]) == "")
        #expect(
            AlertmanagerClient.query([("greenlight_test_id", "a-1"), ("x", "say \"hi\"")])
                == "?filter=greenlight_test_id%3D%22a-1%22&filter=x%3D%22say%20%5C%22hi%5C%22%22")
    }

    static let exposition = """
        # HELP alertmanager_notifications_total The total number of attempted notifications.
        # TYPE alertmanager_notifications_total counter
        alertmanager_notifications_total{integration="email"} 4
        alertmanager_notifications_total{integration="webhook"} 3
        alertmanager_notifications_failed_total{integration="webhook"} 1
        alertmanager_notification_requests_total{integration="webhook"} 7
        alertmanager_notification_requests_failed_total{integration="webhook"} 2
        alertmanager_notification_latency_seconds_count{integration="webhook"} 7
        alertmanager_alerts_received_total{status="firing",version="v2"} 9
        """

    @Test("the notification counters of a receiver's integrations")
    func counters() {
        let webhook = NotificationCounters.read(Self.exposition, integrations: ["webhook"], receiver: "oncall")
        #expect(
            webhook
                == NotificationCounters(
                    notifications: 3, failedNotifications: 1, requests: 7, failedRequests: 2, countsAttempts: true))
        #expect(webhook.deliveries == 5)
        let all = NotificationCounters.read(Self.exposition, integrations: nil, receiver: "oncall")
        #expect(all.notifications == 7)
        #expect(NotificationCounters.read("", integrations: nil, receiver: "oncall").countsAttempts == false)
    }

    @Test("counters naming their receiver count only the expected receiver's")
    func countersByReceiver() {
        let text = """
            alertmanager_notifications_total{integration="webhook",receiver_name="oncall"} 2
            alertmanager_notifications_total{integration="webhook",receiver_name="team-b"} 5
            alertmanager_notifications_failed_total{integration="webhook",reason="other",receiver_name="oncall"} 1
            alertmanager_notification_requests_total{integration="webhook",receiver_name="oncall"} 3e0
            """
        let counters = NotificationCounters.read(text, integrations: ["webhook"], receiver: "oncall")
        #expect(counters.notifications == 2)
        #expect(counters.failedNotifications == 1)
        #expect(counters.requests == 3)
    }

    @Test("the receivers and their integrations in the configuration Alertmanager reports")
    func receivers() throws {
        let status = AlertmanagerStatus(
            versionInfo: .init(version: "0.25.0"),
            config: .init(
                original: """
                    route: { receiver: oncall }
                    receivers:
                    - name: oncall
                      webhook_configs: [{ url: "http://127.0.0.1:9/" }]
                      slack_configs: [{ channel: "#ops" }]
                    - name: blackhole
                    """))
        #expect(status.receiverNames == ["oncall", "blackhole"])
        #expect(status.integrations(of: "oncall") == ["webhook", "slack"])
        #expect(status.integrations(of: "blackhole") == [])
        #expect(status.integrations(of: "nobody") == nil)
    }
}
