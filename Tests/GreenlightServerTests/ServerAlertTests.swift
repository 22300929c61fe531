import Foundation
import GreenlightJSON
import GreenlightTestSupport
import NIOHTTP1
import Testing

/// The page of the alert path: a real Alertmanager delivers to the team server's receiver with a bearer
/// token, and the alert is listed with its runbook.
@Suite("The team server as Alertmanager's receiver", .serialized)
struct ServerAlertTests {
    @Test("a test alert goes Alertmanager → the server (bearer token) → GET /api/v1/alerts, with its runbook")
    func alertmanagerDelivers() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let token = try #require(setup.tokens["sam"])
        let config = """
            route:
              receiver: greenlight
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: greenlight
                webhook_configs:
                  - url: \(setup.server.baseURL)/api/v1/alerts
                    http_config:
                      authorization:
                        credentials: \(token)

            """
        try await Alertmanager.with(config: config) { alertmanager in
            let alert = """
                [{"labels": {"alertname": "CheckoutErrorRate", "severity": "page", "service": "checkout"},
                  "annotations": {"summary": "checkout answers 5xx", "runbook_url": "https://runbooks.example.com/checkout"}}]
                """
            let posted = try await alertmanager.request("/api/v2/alerts", method: "POST", body: alert)
            #expect(posted.status == 200, "\(posted)")
            let deadline = ContinuousClock.now + .seconds(20)
            var listed: JSONValue?
            while ContinuousClock.now < deadline {
                let answer = try await setup.call(.GET, "/api/v1/alerts", token: token)
                if case .array(let alerts)? = answer.json?["alerts"], let first = alerts.first {
                    listed = first
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            let first = try #require(listed, "Alertmanager delivered nothing: \(alertmanager.output.suffix(2000))")
            #expect(first["alertname"] == .string("CheckoutErrorRate"))
            #expect(first["status"] == .string("firing"))
            #expect(first["receiver"] == .string("greenlight"))
            #expect(first["runbook_url"] == .string("https://runbooks.example.com/checkout"))
        }
    }

    @Test("the receiver wants a token and Alertmanager's payload")
    func refusals() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        #expect(try await setup.call(.POST, "/api/v1/alerts", token: nil, body: "{}").status == 401)
        let wrong = try await setup.call(
            .POST, "/api/v1/alerts", token: setup.tokens["sam"], body: #"{"version": "4", "alerts": [{"labels": 3}]}"#)
        #expect(wrong.status == 400, "\(wrong.text)")
    }
}
