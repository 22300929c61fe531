import Foundation
import GreenlightCore
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// The OFREP server on a real loopback port, read by plain HTTP, by the OFREP document's schemas and by
/// the OpenFeature Python SDK's OFREP provider.
@Suite("OFREP over HTTP", .serialized)
struct OFREPServerTests {
    /// Runs `body` with a seeded ledger and a server on 127.0.0.1, port 0.
    func withServer(_ body: (FlagLedger, RunningOFREPServer) async throws -> Void) async throws {
        let ledger = try FlagLedger()
        defer { ledger.remove() }
        try await ledger.seed()
        let server = try await OFREPService(store: try ledger.otherHandle()).start()
        do {
            try await body(ledger, server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func single(_ server: RunningOFREPServer, _ key: String, _ body: String) async throws -> HTTPAnswer {
        try await LoopbackClient.post("\(server.baseURL)/ofrep/v1/evaluate/flags/\(key)", body)
    }

    @Test("single evaluations: reasons, variants, metadata and the error answers with their statuses")
    func singleEvaluations() async throws {
        try await withServer { _, server in
            let pro = try await single(server, "new-checkout", #"{"context":{"targetingKey":"u-1","plan":"pro"}}"#)
            #expect(pro.status == 200)
            #expect(pro.header("Content-Type") == "application/json")
            #expect(pro.json?["reason"] == .string("TARGETING_MATCH"))
            #expect(pro.json?["value"] == .bool(true))
            #expect(pro.json?["variant"] == .string("on"))
            #expect(pro.json?["metadata"]?["changeSequence"] == .int(1))

            let user = "user-77"
            let split = try await single(server, "new-checkout", #"{"context":{"targetingKey":"\#(user)"}}"#)
            #expect(split.json?["reason"] == .string("SPLIT"))
            let inside = StickyBucket.includes(group: "new-checkout", key: user, percentage: 30)
            #expect(split.json?["value"] == .bool(inside))

            let theme = try await single(server, "theme", "{}")
            #expect(theme.json?["reason"] == .string("STATIC"))
            #expect(theme.json?["value"] == .string("blue"))

            let missing = try await single(server, "nope", #"{"context":{"targetingKey":"u"}}"#)
            #expect(missing.status == 404)
            #expect(missing.json?["errorCode"] == .string("FLAG_NOT_FOUND"))
            #expect(missing.json?["key"] == .string("nope"))

            let noKey = try await single(server, "new-checkout", #"{"context":{"plan":"free"}}"#)
            #expect(noKey.status == 400)
            #expect(noKey.json?["errorCode"] == .string("TARGETING_KEY_MISSING"))

            let garbage = try await single(server, "theme", "{not json")
            #expect(garbage.status == 400)
            #expect(garbage.json?["errorCode"] == .string("PARSE_ERROR"))

            let badContext = try await single(server, "theme", #"{"context":["a"]}"#)
            #expect(badContext.status == 400)
            #expect(badContext.json?["errorCode"] == .string("INVALID_CONTEXT"))
        }
    }

    @Test("bulk evaluation answers every flag with an ETag; If-None-Match with it is 304 until a change")
    func bulkAndETag() async throws {
        try await withServer { ledger, server in
            let url = "\(server.baseURL)/ofrep/v1/evaluate/flags"
            let body = #"{"context":{"targetingKey":"user-5","plan":"free"}}"#
            let first = try await LoopbackClient.post(url, body)
            #expect(first.status == 200)
            guard case .array(let flags)? = first.json?["flags"] else {
                Issue.record("no flags array: \(String(decoding: first.body, as: UTF8.self))")
                return
            }
            #expect(
                flags.compactMap { $0["key"] }
                    == ["limits", "max-items", "new-checkout", "ratio", "theme"].map(JSONValue.string))
            let etag = try #require(first.header("ETag"))
            #expect(etag.hasPrefix("\"5-"))

            let again = try await LoopbackClient.post(url, body, headers: ["If-None-Match": etag])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            // Another context is another answer: not 304.
            let other = try await LoopbackClient.post(
                url, #"{"context":{"targetingKey":"user-6"}}"#, headers: ["If-None-Match": etag])
            #expect(other.status == 200)

            // A bulk answer without a targeting key: the split flag fails alone, the others succeed.
            let keyless = try await LoopbackClient.post(url, #"{"context":{}}"#)
            #expect(keyless.status == 200)
            if case .array(let items)? = keyless.json?["flags"] {
                #expect(
                    items.first { $0["key"] == .string("new-checkout") }?["errorCode"]
                        == .string("TARGETING_KEY_MISSING"))
                #expect(items.filter { $0["errorCode"] == nil }.count == 4)
            }
            let bad = try await LoopbackClient.post(url, "[]")
            #expect(bad.status == 400)
            #expect(bad.json?["errorCode"] == .string("PARSE_ERROR"))

            try await ledger.store.kill("theme", by: "carol")
            let deadline = ContinuousClock.now + .seconds(2)
            var changed: HTTPAnswer?
            while ContinuousClock.now < deadline {
                let answer = try await LoopbackClient.post(url, body, headers: ["If-None-Match": etag])
                if answer.status == 200 {
                    changed = answer
                    break
                }
                try await Task.sleep(for: .milliseconds(25))
            }
            let after = try #require(changed, "the ETag did not change within 2 s of a kill")
            #expect(after.header("ETag") != etag)
            if case .array(let items)? = after.json?["flags"] {
                #expect(items.first { $0["key"] == .string("theme") }?["reason"] == .string("DISABLED"))
            }
        }
    }

    @Test("every answer validates against the OFREP OpenAPI document's schemas")
    func schemas() async throws {
        try await withServer { ledger, server in
            var cases: [JSONValue] = []
            func add(_ schema: String, _ answer: HTTPAnswer) {
                if let json = answer.json { cases.append(.object([("schema", .string(schema)), ("body", json)])) }
            }
            let context = #"{"context":{"targetingKey":"user-9","plan":"pro"}}"#
            for key in ["new-checkout", "theme", "max-items", "ratio", "limits"] {
                let answer = try await single(server, key, context)
                #expect(answer.status == 200)
                add("serverEvaluationSuccess", answer)
            }
            add(
                "serverEvaluationSuccess",
                try await single(server, "new-checkout", #"{"context":{"targetingKey":"x"}}"#))
            add("flagNotFound", try await single(server, "nope", context))
            add("evaluationFailure", try await single(server, "new-checkout", #"{"context":{}}"#))
            add("evaluationFailure", try await single(server, "theme", "nope"))
            add("evaluationFailure", try await single(server, "theme", #"{"context":1}"#))
            add(
                "bulkEvaluationSuccess",
                try await LoopbackClient.post("\(server.baseURL)/ofrep/v1/evaluate/flags", context))
            add(
                "bulkEvaluationSuccess",
                try await LoopbackClient.post("\(server.baseURL)/ofrep/v1/evaluate/flags", "{}"))
            add(
                "bulkEvaluationFailure", try await LoopbackClient.post("\(server.baseURL)/ofrep/v1/evaluate/flags", "1")
            )
            try await ledger.store.kill("new-checkout", by: "carol")
            try await Task.sleep(for: .milliseconds(600))
            let disabled = try await single(server, "new-checkout", context)
            #expect(disabled.json?["reason"] == .string("DISABLED"))
            add("serverEvaluationSuccess", disabled)
            #expect(cases.count == 14)
            let file = try ledger.folder.write(JSONValue.array(cases).serialized(), to: "cases.json")
            let output = try await ChildProcess.run(
                "/usr/bin/env", ["python3", FlagFixtures.script("ofrep_check.py"), FlagFixtures.openAPI, file.path])
            #expect(output.contains("ok 14"), "\(output)")
        }
    }

    @Test("the OpenFeature Python SDK's OFREP provider resolves the flags")
    func openFeatureSDK() async throws {
        try await withServer { _, server in
            let calls = """
                [
                 {"flag": "new-checkout", "type": "boolean", "default": false, "context": {"targetingKey": "u-1", "plan": "team"}},
                 {"flag": "new-checkout", "type": "boolean", "default": true, "context": {"targetingKey": "user-77"}},
                 {"flag": "theme", "type": "string", "default": "red", "context": {"targetingKey": "u-1"}},
                 {"flag": "max-items", "type": "integer", "default": 1, "context": {"targetingKey": "u-1"}},
                 {"flag": "ratio", "type": "float", "default": 0.0, "context": {"targetingKey": "u-1"}},
                 {"flag": "limits", "type": "object", "default": {}, "context": {"targetingKey": "u-1"}},
                 {"flag": "nope", "type": "boolean", "default": true, "context": {"targetingKey": "u-1"}},
                 {"flag": "new-checkout", "type": "boolean", "default": true, "context": {"plan": "free"}}
                ]
                """
            let output = try await ChildProcess.run(
                "/usr/bin/env", ["python3", FlagFixtures.script("openfeature_client.py"), server.baseURL, calls])
            let lines = output.split(separator: "\n").filter { $0.hasPrefix("[") }
            let results = try #require(lines.last.flatMap { try? JSONValue(parsing: Data($0.utf8)) }, "\(output)")
            guard case .array(let items) = results, items.count == 8 else {
                Issue.record("unexpected output: \(output)")
                return
            }
            let inside = StickyBucket.includes(group: "new-checkout", key: "user-77", percentage: 30)
            #expect(items[0]["value"] == .bool(true))
            #expect(items[0]["reason"] == .string("TARGETING_MATCH"))
            #expect(items[0]["variant"] == .string("on"))
            #expect(items[1]["value"] == .bool(inside))
            #expect(items[1]["reason"] == .string("SPLIT"))
            #expect(items[2]["value"] == .string("blue"))
            #expect(items[2]["reason"] == .string("STATIC"))
            #expect(items[3]["value"] == .int(50))
            #expect(items[4]["value"] == .double(0.25))
            #expect(items[5]["value"] == .object([("burst", .bool(false)), ("requests", .int(100))]))
            // Errors: the SDK falls back to the code default and names the error.
            #expect(items[6]["value"] == .bool(true))
            #expect(items[6]["error_code"] == .string("FLAG_NOT_FOUND"))
            #expect(items[7]["value"] == .bool(true))
            #expect(items[7]["error_code"] == .string("TARGETING_KEY_MISSING"))
        }
    }

    @Test("a kill appended through another ledger handle is served to a polling client within 1 s")
    func killWithinOneSecond() async throws {
        try await withServer { ledger, server in
            let context = #"{"context":{"targetingKey":"u-1","plan":"pro"}}"#
            #expect(try await single(server, "new-checkout", context).json?["reason"] == .string("TARGETING_MATCH"))
            // The killer is another FlagStore on its own SQLite connection, as `greenlight flag kill` is.
            let killer = try ledger.otherHandle()
            try await killer.kill("new-checkout", by: "carol", reason: "5xx")
            let killedAt = ContinuousClock.now
            var observed: Duration?
            while ContinuousClock.now - killedAt < .seconds(3) {
                let answer = try await single(server, "new-checkout", context)
                if answer.json?["reason"] == .string("DISABLED") {
                    observed = ContinuousClock.now - killedAt
                    #expect(answer.json?["value"] == .bool(false))
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let seen = try #require(observed, "the kill was not served within 3 s")
            print("kill observed by the polling client after \(seen)")
            #expect(seen < .seconds(1))
        }
    }
}
