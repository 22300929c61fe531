import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightObserve

/// The alert → page path against a real Alertmanager that each test starts (prometheus-alertmanager).
@Suite("The alert pipeline through a real Alertmanager", .serialized)
struct AlertPipelineTests {
    static let checkoutDown = TestAlert(
        name: "CheckoutDown", labels: [("severity", "page"), ("service", "checkout")],
        annotations: [
            ("summary", "Checkout is down on {{ $labels.instance }}"),
            ("runbook_url", "https://runbooks.example/checkout-down"),
        ])

    /// A configuration whose receivers `oncall` and `team-b` both post to `webhook`, grouping each test
    /// alert on its own and sending a group 1 s after it forms.
    static func config(webhook: String, routes: String = "") -> String {
        """
        route:
          receiver: oncall
          group_by: [alertname, greenlight_test_id]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        \(routes)
        receivers:
          - name: oncall
            webhook_configs:
              - url: \(webhook)
          - name: team-b
            webhook_configs:
              - url: \(webhook)

        """
    }

    static func spec(_ url: String, webhook: String?, within seconds: Double = 10) -> AlertsSpec.AlertmanagerSpec {
        var spec = AlertsSpec.AlertmanagerSpec(reading: ObjectReader(nil, AlertsSpec.AlertmanagerSpec.schema))
        spec.url = url
        spec.receiver = "oncall"
        spec.within = SpecDuration(seconds: seconds)
        spec.webhook = webhook
        return spec
    }

    /// The labels of the active alerts carrying a `greenlight_test_id`, as Alertmanager lists them.
    static func activeTestAlerts(_ alertmanager: Alertmanager) async throws -> [String] {
        let answer = try await alertmanager.request("/api/v2/alerts?active=true")
        #expect(answer.status == 200)
        guard case .array(let alerts) = try JSONValue(parsing: Data(answer.body.utf8)) else {
            Issue.record("GET /api/v2/alerts did not answer a list: \(answer.body)")
            return []
        }
        return alerts.compactMap { alert in
            guard let labels = alert["labels"], labels["greenlight_test_id"] != nil else { return nil }
            return labels.serialized()
        }
    }

    /// Alertmanager's count of alerts it received with `status` (firing or resolved).
    static func received(_ alertmanager: Alertmanager, _ status: String) async throws -> Double {
        let metrics = try await alertmanager.request("/metrics").body
        return metrics.split(separator: "\n")
            .filter { $0.hasPrefix("alertmanager_alerts_received_total{") && $0.contains("status=\"\(status)\"") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    @Test("the test alert reaches greenlight's webhook receiver, with its delivery time measured, and is resolved")
    func deliveredToWebhook() async throws {
        let hook = Loopback.freePort()
        try await Alertmanager.with(config: Self.config(webhook: "http://127.0.0.1:\(hook)/page")) { alertmanager in
            let pipeline = AlertPipeline(Self.spec(alertmanager.url, webhook: "127.0.0.1:\(hook)"))
            let (result, seconds) = await Timing.measured { await pipeline.check([Self.checkoutDown]) }

            #expect(result.id == ObservabilityCheck.alertPipeline)
            #expect(result.category == .observability)
            #expect(result.status == .pass, "\(result.summary) \(result.details)")
            #expect(result.summary.hasPrefix("CheckoutDown reached oncall and was delivered in "), "\(result.summary)")
            let delivery = try #require(result.measurements.first { $0.name == "delivery_seconds" })
            #expect(delivery.unit == "s")
            // group_wait is 1 s: the time is Alertmanager's real delivery, and well within the 10 s budget.
            #expect(delivery.value >= 0.9 && delivery.value < 10, "\(delivery.value)")
            #expect(
                result.details.contains {
                    $0.contains("the page links to the runbook https://runbooks.example/checkout-down")
                })
            #expect(result.details.contains { $0.hasPrefix("Alertmanager 0.") })
            #expect(seconds < 4, "the whole check took \(seconds) s")

            // (e) resolved afterwards: no longer active, and Alertmanager counted the resolution.
            let active = try await Self.activeTestAlerts(alertmanager)
            #expect(active == [])
            let resolved = try await Self.received(alertmanager, "resolved")
            #expect(resolved >= 1)
        }
    }

    @Test("several paging alerts are followed at once, each with its own delivery time")
    func severalAlerts() async throws {
        let hook = Loopback.freePort()
        try await Alertmanager.with(config: Self.config(webhook: "http://127.0.0.1:\(hook)/")) { alertmanager in
            let pipeline = AlertPipeline(Self.spec(alertmanager.url, webhook: "127.0.0.1:\(hook)"))
            let second = TestAlert(name: "PaymentsDown", labels: [("severity", "critical")])
            let (result, seconds) = await Timing.measured { await pipeline.check([Self.checkoutDown, second]) }
            #expect(result.status == .pass, "\(result.summary) \(result.details)")
            #expect(
                result.summary.hasPrefix("CheckoutDown and PaymentsDown reached oncall and were delivered in at most"))
            #expect(
                Set(result.measurements.map(\.name))
                    == ["delivery_seconds", "delivery_seconds.CheckoutDown", "delivery_seconds.PaymentsDown"])
            #expect(result.details.contains { $0.contains("PaymentsDown") && $0.contains("no runbook_url") })
            #expect(seconds < 4, "two alerts took \(seconds) s")
            let active = try await Self.activeTestAlerts(alertmanager)
            #expect(active == [])
        }
    }

    @Test("an alert routed to another receiver fails, naming the receiver that got it, and is resolved")
    func routedElsewhere() async throws {
        let hook = Loopback.freePort()
        let routes = """
              routes:
                - matchers: ['alertname="CheckoutDown"']
                  receiver: team-b
            """
        let config = Self.config(webhook: "http://127.0.0.1:\(hook)/", routes: routes)
        try await Alertmanager.with(config: config) { alertmanager in
            let pipeline = AlertPipeline(Self.spec(alertmanager.url, webhook: "127.0.0.1:\(hook)"))
            let result = await pipeline.check([Self.checkoutDown])
            #expect(result.status == .fail)
            #expect(
                result.summary == "CheckoutDown was routed to receiver 'team-b', not to 'oncall'", "\(result.summary)")
            #expect(result.measurements.isEmpty)
            // Known from the alert groups at once: no waiting for a delivery that is not coming.
            #expect(result.durationSeconds < 3, "\(result.durationSeconds) s")
            let active = try await Self.activeTestAlerts(alertmanager)
            #expect(active == [])
        }
    }

    @Test("without a webhook, delivery is read from Alertmanager's notification counters")
    func deliveredPerCounters() async throws {
        let pager = try await LoopbackHTTPServer(respond: { _ in .init() })
        do {
            try await Alertmanager.with(config: Self.config(webhook: pager.url)) { alertmanager in
                let pipeline = AlertPipeline(Self.spec(alertmanager.url, webhook: nil))
                let result = await pipeline.check([Self.checkoutDown])
                #expect(result.status == .pass, "\(result.summary) \(result.details)")
                #expect(result.summary.hasPrefix("CheckoutDown reached oncall and was delivered in "))
                let delivery = try #require(result.measurements.first { $0.name == "delivery_seconds" })
                #expect(delivery.value >= 0.9 && delivery.value < 10, "\(delivery.value)")
                #expect(result.details.contains("delivery is read from Alertmanager's notification counters (webhook)"))
                #expect(pager.requests.current.contains { $0.hasPrefix("POST ") })
                let active = try await Self.activeTestAlerts(alertmanager)
                #expect(active == [])
            }
        } catch {
            await pager.shutdown()
            throw error
        }
        await pager.shutdown()
    }

    @Test("without a webhook, failed delivery attempts fail the check")
    func failedPerCounters() async throws {
        let config = Self.config(webhook: "http://127.0.0.1:\(Loopback.closedPort())/")
        try await Alertmanager.with(config: config) { alertmanager in
            let pipeline = AlertPipeline(Self.spec(alertmanager.url, webhook: nil, within: 2.5))
            let result = await pipeline.check([Self.checkoutDown])
            #expect(result.status == .fail)
            #expect(result.summary.hasPrefix("CheckoutDown reached oncall but "), "\(result.summary)")
            #expect(result.summary.contains("to deliver it failed within"), "\(result.summary)")
            #expect(result.measurements.isEmpty)
            let active = try await Self.activeTestAlerts(alertmanager)
            #expect(active == [])
        }
    }

    @Test("an Alertmanager that is down fails at once, saying where and why")
    func alertmanagerDown() async throws {
        let url = "http://127.0.0.1:\(Loopback.closedPort())"
        let result = await AlertPipeline(Self.spec(url, webhook: "127.0.0.1:\(Loopback.freePort())"))
            .check([Self.checkoutDown])
        #expect(result.status == .fail)
        #expect(result.summary == "Alertmanager at \(url) does not answer: connection refused", "\(result.summary)")
        #expect(result.details == ["GET \(url)/api/v2/status: connection refused"])
        #expect(result.durationSeconds < 1, "\(result.durationSeconds) s")
    }

    @Test("a receiver the configuration lacks fails before any alert is sent")
    func unknownReceiver() async throws {
        try await Alertmanager.with(config: Self.config(webhook: "http://127.0.0.1:9/")) { alertmanager in
            var spec = Self.spec(alertmanager.url, webhook: nil)
            spec.receiver = "pager"
            let result = await AlertPipeline(spec).check([Self.checkoutDown])
            #expect(result.status == .fail)
            #expect(result.summary == "Alertmanager has no receiver named 'pager' (its receivers: oncall, team-b)")
            let received = try await Self.received(alertmanager, "firing")
            #expect(received == 0)
        }
    }

    @Test("a silenced alert fails: it would not page")
    func silenced() async throws {
        let hook = Loopback.freePort()
        try await Alertmanager.with(config: Self.config(webhook: "http://127.0.0.1:\(hook)/")) { alertmanager in
            let start = PostableAlert.timestamp(Date().addingTimeInterval(-60))
            let end = PostableAlert.timestamp(Date().addingTimeInterval(3600))
            let silence = """
                {"matchers":[{"name":"alertname","value":"CheckoutDown","isRegex":false}],
                 "startsAt":"\(start)","endsAt":"\(end)","createdBy":"test","comment":"maintenance"}
                """
            let created = try await alertmanager.request("/api/v2/silences", method: "POST", body: silence)
            #expect(created.status == 200, "\(created.body)")
            let result = await AlertPipeline(Self.spec(alertmanager.url, webhook: "127.0.0.1:\(hook)"))
                .check([Self.checkoutDown])
            #expect(result.status == .fail)
            #expect(
                result.summary.hasPrefix("CheckoutDown reached oncall but is silenced (silence "), "\(result.summary)")
            let active = try await Self.activeTestAlerts(alertmanager)
            #expect(active == [])
        }
    }

    @Test("a cancelled check still resolves its test alert")
    func cancelled() async throws {
        // Alertmanager delivers nowhere greenlight listens: the check waits until it is cancelled.
        let config = Self.config(webhook: "http://127.0.0.1:\(Loopback.closedPort())/")
        try await Alertmanager.with(config: config) { alertmanager in
            let pipeline = AlertPipeline(Self.spec(alertmanager.url, webhook: "127.0.0.1:\(Loopback.freePort())"))
            let check = Task { await pipeline.check([Self.checkoutDown]) }
            try await Task.sleep(for: .milliseconds(1500))
            let firing = try await Self.activeTestAlerts(alertmanager)
            #expect(firing.count == 1)
            check.cancel()
            let (result, seconds) = await Timing.measured { await check.value }
            #expect(seconds < 2, "the check took \(seconds) s to end once cancelled")
            #expect(result.status == .fail)
            #expect(result.summary == "the check was cancelled before CheckoutDown was delivered", "\(result.summary)")
            let active = try await Self.activeTestAlerts(alertmanager)
            #expect(active == [])
        }
    }
}
