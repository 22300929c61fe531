import Foundation
import GreenlightTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import GreenlightDemo

struct RequestLogTests {
    /// ISO 8601 in UTC with milliseconds, as in `2025-01-31T09:30:00.123Z`.
    static func isTimestamp(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil
    }

    @Test func writesOneJSONLinePerRequestWithLevelsByStatus() async throws {
        let folder = try TemporaryFolder("demoshop")
        defer { folder.remove() }
        let path = folder.appending("requests.log").path
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let responses = try await makeShop {
            $0.logPath = path
            $0.version = "v2"
            $0.errorRate = 1
            $0.regressedRoutes = ["/api/orders"]
        }.test(.router) { client in
            [
                try await client.execute(
                    uri: "/api/products/SKU-1", method: .get,
                    headers: [.traceparent: "00-\(traceID)-00f067aa0ba902b7-01"]
                ),
                try await client.execute(uri: "/api/products/NOPE", method: .get),
                try await client.execute(uri: "/api/orders/ord-1", method: .get),
            ]
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let entries = lines.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        try #require(entries.count == 3)

        let required: Set = ["ts", "level", "msg", "trace_id", "span_id", "method", "route", "status", "duration_ms"]
        for (entry, response) in zip(entries, responses) {
            #expect(required.isSubset(of: Set(entry.keys)))
            #expect(entry["msg"] as? String == "request")
            #expect(Self.isTimestamp(entry["ts"] as? String))
            #expect(entry["method"] as? String == "GET")
            #expect(entry["status"] as? Int == Int(response.status.code))
            #expect((entry["duration_ms"] as? Double ?? -1) >= 0)
            let traceparent = try #require(response.headers[.traceparent]).split(separator: "-")
            #expect(entry["trace_id"] as? String == String(traceparent[1]))
            #expect(entry["span_id"] as? String == String(traceparent[2]))
        }
        #expect(entries.map { $0["level"] as? String } == ["info", "warn", "error"])
        #expect(
            entries.map { $0["route"] as? String } == [
                "/api/products/{sku}", "/api/products/{sku}", "/api/orders/{id}",
            ])
        #expect(entries[0]["trace_id"] as? String == traceID)
    }

    @Test func appendsToAnExistingFile() async throws {
        let folder = try TemporaryFolder("demoshop")
        defer { folder.remove() }
        let path = folder.appending("append.log").path
        try "earlier line\n".write(toFile: path, atomically: true, encoding: .utf8)
        try await makeShop { $0.logPath = path }.test(.router) { client in
            _ = try await client.execute(uri: "/healthz", method: .get)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "earlier line")
    }

    @Test func writesNothingWithoutLogPath() async throws {
        let metadata = try await makeShop().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get).status
        }
        #expect(metadata == .ok)
    }

    @Test func metadataKeepsJSONTypesAndEscapes() throws {
        let event = LogEvent(
            level: .warning, message: "request",
            metadata: [
                "status": .stringConvertible(404), "duration_ms": .stringConvertible(1.5),
                "flag": .stringConvertible(true), "path": .string("/a\"b\n"),
            ],
            source: "test", file: #fileID, function: #function, line: #line
        )
        let line = JSONLogger.line(for: event, at: Date(timeIntervalSince1970: 0))
        #expect(
            line
                == #"{"ts":"1970-01-01T00:00:00.000Z","level":"warn","msg":"request","duration_ms":1.5,"flag":true,"path":"/a\"b\n","status":404}"#
        )
    }
}
