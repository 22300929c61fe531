import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightTestSupport
import NIOHTTP1
import Synchronization
import Testing

@testable import GreenlightLedger

/// What the server says about itself, and what it mounts beside the API: JSON request logs carrying
/// the caller's trace id (and never a token), /metrics, OFREP; and the server on a PostgreSQL ledger.
@Suite("The team server's logs, metrics, OFREP and PostgreSQL", .serialized)
struct ServerObservabilityTests {
    @Test("one JSON log line per request with the caller's trace id and no token; /metrics counts; OFREP answers")
    func logsMetricsOFREP() async throws {
        let lines = Mutex<[String]>([])
        let setup = try await ServerSetup.start(log: { line in lines.withLock { $0.append(line) } })
        defer { Task { await setup.stop() } }
        let token = try #require(setup.tokens["sam"])
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let answer = try await setup.call(
            .GET, "/api/v1/signers", token: token, headers: [("traceparent", "00-\(traceID)-00f067aa0ba902b7-01")])
        #expect(answer.status == 200)
        #expect(answer.header("traceparent")?.contains(traceID) == true, "\(answer.headers)")
        _ = try await setup.call(.GET, "/api/v1/releases", token: "glt_wrong")

        let logged = lines.withLock { $0 }
        let parsed = logged.compactMap { try? JSONValue(parsing: Data($0.utf8)) }
        #expect(parsed.count == logged.count, "a log line is not JSON: \(logged)")
        let signers = try #require(parsed.first { $0["path"] == .string("/api/v1/signers") }, "\(logged)")
        #expect(signers["trace_id"] == .string(traceID))
        #expect(signers["status"] == .int(200))
        #expect(signers["method"] == .string("GET"))
        #expect(parsed.contains { $0["status"] == .int(401) })
        #expect(!logged.joined().contains(token))
        #expect(!logged.joined().contains("glt_wrong"))

        let metrics = try await setup.call(.GET, "/metrics", token: nil)
        #expect(metrics.status == 200)
        #expect(
            metrics.text.contains(
                #"greenlight_http_requests_total{method="GET",route="/api/v1/signers",status="200"} 1"#),
            "\(metrics.text.prefix(2000))")
        #expect(metrics.text.contains("greenlight_http_request_duration_seconds_bucket"))
        #expect(metrics.text.contains("greenlight_ledger_records"))

        try await FlagStore(ledger: setup.ledger.store).set(
            FeatureFlag(key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "on"),
            by: "test")
        // OFREP polls the ledger; the new flag is served within a poll or two.
        var value: JSONValue?
        for _ in 0..<40 where value == nil {
            let evaluated = try await setup.call(
                .POST, "/ofrep/v1/evaluate/flags/new-checkout", token: nil,
                json: .object([("context", .object([("targetingKey", .string("user-1"))]))]))
            if evaluated.status == 200 {
                value = evaluated.json?["value"]
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(value == .bool(true))
    }

    @Test("on a PostgreSQL ledger: sign-offs through the API, the gate opens, the chain verifies")
    func postgres() async throws {
        let postgres = try await PostgresServer.start()
        defer { Task { await postgres.stop() } }
        let store = try await LedgerLocation(postgres.url).open()
        let setup = try await ServerSetup.start(store: store)
        defer { Task { await setup.stop() } }
        let digest = try await setup.recordReport()
        for (name, role) in [("erin", "engineering"), ("sam", "sre")] {
            let answer = try await setup.call(
                .POST, "/api/v1/releases/checkout@2.14.0/signoffs", token: setup.tokens[name],
                json: try ServerSetup.json(setup.signOff(name, role, digest)))
            #expect(answer.status == 201, "\(answer.text)")
        }
        let gate = try await setup.call(.POST, "/api/v1/releases/checkout@2.14.0/gate", token: setup.tokens["sam"])
        #expect(gate.json?["open"] == .bool(true), "\(gate.text)")
        let verified = try await setup.call(.GET, "/api/v1/ledger/verify", token: setup.tokens["pat"])
        #expect(verified.json?["intact"] == .bool(true), "\(verified.text)")
    }
}
