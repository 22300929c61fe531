import Foundation
import GreenlightJSON
import GreenlightServer
import GreenlightTestSupport
import GreenlightWebhooks
import NIOHTTP1
import Testing

@testable import GreenlightLedger

/// The release's trace leaving the server: a report, sign-offs and the gate, as signed JSON webhooks,
/// while a dead target fails on its own without holding up the gate.
@Suite("The team server's webhooks")
struct ServerWebhookTests {
    @Test("report, sign-offs and the gate reach a JSON webhook, signed; a dead target does not slow the gate")
    func trace() async throws {
        let receiver = try await RecordingReceiver()
        defer { Task { await receiver.shutdown() } }
        let secret = "whsec_" + Data("a secret of the test's own".utf8).base64EncodedString()
        let dead = Loopback.freePort()
        let setup = try await ServerSetup.start(webhooks: [
            try .json(name: "audit", url: receiver.url + "/hook", secret: secret),
            try .json(name: "dead", url: "http://127.0.0.1:\(dead)/hook", secret: secret),
        ])
        defer { Task { await setup.stop() } }
        try await Task.sleep(for: .milliseconds(700))  // the dispatcher starts at the head it finds

        let digest = try await setup.recordReport()
        for (name, role) in [("erin", "engineering"), ("sam", "sre")] {
            let answer = try await setup.call(
                .POST, "/api/v1/releases/checkout@2.14.0/signoffs", token: setup.tokens[name],
                json: try ServerSetup.json(setup.signOff(name, role, digest)))
            #expect(answer.status == 201)
        }
        let started = ContinuousClock.now
        let gate = try await setup.call(.POST, "/api/v1/releases/checkout@2.14.0/gate", token: setup.tokens["sam"])
        #expect(gate.json?["open"] == .bool(true))
        #expect(ContinuousClock.now - started < .seconds(2), "the gate waited for a webhook")

        let deadline = ContinuousClock.now + .seconds(20)
        var types: [String] = []
        while ContinuousClock.now < deadline {
            types = receiver.requests.withValue { $0 }.compactMap {
                try? JSONValue(parsing: $0.body)["type"].flatMap { if case .string(let t) = $0 { t } else { nil } }
            }
            if types.contains("gate.decided") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(types == ["report.recorded", "signoff.recorded", "signoff.recorded", "gate.decided"], "\(types)")
        let key = try #require(WebhookSignature.key(secret: secret))
        for request in receiver.requests.withValue({ $0 }) {
            let id = try #require(request.header("webhook-id"))
            let timestamp = try #require(request.header("webhook-timestamp").flatMap(Int.init))
            let signature = try #require(request.header("webhook-signature"))
            #expect(signature == WebhookSignature.sign(id: id, timestamp: timestamp, body: request.body, key: key))
        }
    }

    @Test("a delivery the target refuses is listed on the dashboard's home page, by target and event")
    func failureOnDashboard() async throws {
        let receiver = try await RecordingReceiver { _ in RecordingReceiver.Answer(status: 400, body: "no thanks") }
        defer { Task { await receiver.shutdown() } }
        let setup = try await ServerSetup.start(webhooks: [
            try .json(
                name: "refusing-audit", url: receiver.url + "/hook",
                secret: "whsec_" + Data("k".utf8).base64EncodedString())
        ])
        defer { Task { await setup.stop() } }
        try await Task.sleep(for: .milliseconds(700))  // the dispatcher starts at the head it finds
        try await setup.recordReport()
        let deadline = ContinuousClock.now + .seconds(20)
        while receiver.count == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(receiver.count == 1, "a 400 is not retried")
        let browser = try DashboardBrowser(setup.server.baseURL)
        defer { browser.close() }
        try await browser.login(try #require(setup.tokens["sam"]))
        let home = try await browser.get("/")
        #expect(home.status == 200)
        #expect(home.text.contains("refusing-audit"), "\(home.text.prefix(3000))")
        #expect(home.text.contains("report.recorded"))
        #expect(home.text.contains("HTTP 400") || home.text.contains("400"))
    }

    @Test("a webhooks file: ${VAR} from the environment, a clear error for a missing variable or a bad type")
    func configurationFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.appending("webhooks.yaml").path
        try """
        webhooks:
          - name: audit
            type: json
            url: http://127.0.0.1:9/hook
            secret: ${HOOK_SECRET}
          - { name: chat, type: slack, url: "http://127.0.0.1:9/${SLACK_PATH}", events: [gate.decided] }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let targets = try WebhookConfiguration.load(
            file: path, environment: ["HOOK_SECRET": "s3cret-value", "SLACK_PATH": "T000/B000/XXX"])
        #expect(targets.map(\.name) == ["audit", "chat"])
        #expect(targets[0].secret == "s3cret-value")
        #expect(targets[1].url == "http://127.0.0.1:9/T000/B000/XXX")
        #expect(!targets.map(\.description).joined().contains("s3cret-value"))

        func problem(_ environment: [String: String]) -> String? {
            do {
                _ = try WebhookConfiguration.load(file: path, environment: environment)
                return nil
            } catch {
                return error.description
            }
        }
        let missing = problem(["HOOK_SECRET": "x"])
        #expect(
            missing?.contains("webhooks[1].url: the environment variable SLACK_PATH is not set") == true,
            "\(missing ?? "accepted")")
        try "webhooks:\n  - { name: x, type: carrier-pigeon }\n".write(toFile: path, atomically: true, encoding: .utf8)
        let badType = problem([:])
        #expect(badType?.contains("webhooks[0]") == true, "\(badType ?? "accepted")")
        #expect(badType?.contains("carrier-pigeon") == true)
    }
}
