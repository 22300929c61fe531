import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

/// Logs, the diagnosis test, traces and health, against a real DemoShop (JSON logs with trace ids,
/// traceparent) and loopback servers that get each one wrong.
@Suite("Logs, diagnosis, traces and health")
struct LogsTracesHealthTests {
    static func reading(_ text: String) -> LogSource.Reading { .init(text: Data(text.utf8), clipped: false) }

    @Test("JSON lines with the required fields pass; a line that is not JSON is named by its number")
    func jsonLines() {
        let good = Self.reading(
            #"{"ts":"t","level":"info","msg":"a","trace_id":"x"}"# + "\n\n"
                + #"{"ts":"t","level":"info","msg":"b","trace_id":"y"}"# + "\r\n")
        let pass = LogsCheck.check(good, source: "app.log", requireFields: ["ts", "level", "msg", "trace_id"])
        #expect(pass.status == .pass, "\(pass)")
        #expect(pass.summary == "2 lines of JSON with ts, level, msg, trace_id in app.log")

        let bad = Self.reading(#"{"ts":"t","msg":"a"}"# + "\nplain text here\n" + #"{"ts":"t"}"# + "\n[1]\n")
        let fail = LogsCheck.check(bad, source: "app.log", requireFields: ["ts", "msg"])
        #expect(fail.status == .fail)
        #expect(fail.summary.hasPrefix("app.log: line 2 is not JSON"), "\(fail.summary)")
        #expect(fail.details.contains("line 4 is JSON but not an object"), "\(fail.details)")
        #expect(fail.details.contains("1 of 4 lines has no 'msg' (the first: line 3)"), "\(fail.details)")

        let empty = LogsCheck.check(Self.reading("\n \n"), source: "app.log", requireFields: [])
        #expect(empty.status == .fail)
        #expect(empty.summary.contains("holds no log lines"))
    }

    @Test("logs come from a file or a command; a missing file or a failing command says so")
    func sources() async throws {
        let folder = try TemporaryFolder("gl-logs")
        defer { folder.remove() }
        _ = try folder.write("{\"a\":1}\n", to: "app.log")
        let file = try await LogSource(origin: .file("app.log"), directory: folder.path).read()
        #expect(String(decoding: file.text, as: UTF8.self) == "{\"a\":1}\n")
        let command = try await LogSource(origin: .command("cat app.log; echo '{\"b\":2}'"), directory: folder.path)
            .read()
        #expect(String(decoding: command.text, as: UTF8.self) == "{\"a\":1}\n{\"b\":2}\n")
        await #expect {
            try await LogSource(origin: .file("none.log"), directory: folder.path).read()
        } throws: { "\($0)" == "the log file none.log does not exist" }
        await #expect {
            try await LogSource(origin: .command("echo oops >&2; exit 3"), directory: folder.path).read()
        } throws: { "\($0)" == "`echo oops >&2; exit 3` exited 3: oops" }
    }

    @Test("against DemoShop: health, the diagnosis test and traces pass, with their times measured")
    func demoShop() async throws {
        let folder = try TemporaryFolder("gl-observe")
        defer { folder.remove() }
        var configuration = DemoShopConfiguration()
        configuration.logPath = folder.appending("shop.log").path
        let shop = try await DemoShop.start(configuration)
        let session = try HTTPSession()
        let logs = LogSource(origin: .file("shop.log"), directory: folder.path)

        let health = await HealthCheck.run(
            session: session, url: shop.baseURL + "/healthz", within: SpecDuration(seconds: 5))
        #expect(health.status == .pass, "\(health)")
        #expect(health.measurements.first?.name == "time to health")

        let probe = DiagnosisProbe(baseURL: shop.baseURL, path: nil, propagation: .w3c)
        let sent = await probe.send(session: session)
        #expect(sent.status == 404)
        let diagnosis = await probe.diagnose(sent, logs: logs, within: SpecDuration(seconds: 5))
        #expect(diagnosis.status == .pass, "\(diagnosis)")
        let found = try #require(diagnosis.measurements.first?.value)
        #expect(found >= 0 && found < 5)
        let traces = await probe.traces(sent, logs: logs, backend: nil, session: session)
        #expect(traces.status == .pass, "\(traces)")
        #expect(
            traces.summary.contains("the response's traceparent header and a line of shop.log"), "\(traces.summary)")

        let check = LogsCheck.check(
            try await logs.read(), source: "shop.log", requireFields: ["ts", "level", "msg", "trace_id"])
        #expect(check.status == .pass, "\(check)")
        await session.shutdown()
        await shop.stop()
    }

    @Test("a service that drops traceparent fails the trace check; logs without the trace id fail the diagnosis")
    func droppedTrace() async throws {
        let server = try await LoopbackHTTPServer(.status(404))
        let folder = try TemporaryFolder("gl-observe")
        defer { folder.remove() }
        _ = try folder.write(
            #"{"ts":"t","level":"info","msg":"GET /other","trace_id":"0af7651916cd43dd8448eb211c80319c"}"# + "\n",
            to: "app.log")
        let logs = LogSource(origin: .file("app.log"), directory: folder.path)
        let session = try HTTPSession()
        let probe = DiagnosisProbe(baseURL: server.url, path: "/missing", propagation: .w3c)
        let sent = await probe.send(session: session)
        #expect(
            server.requests.withValue { $0.last?.lowercased().contains("traceparent: 00-\(probe.stamp.traceID)") }
                == true)

        let traces = await probe.traces(sent, logs: logs, backend: nil, session: session)
        #expect(traces.status == .fail)
        #expect(
            traces.summary.hasPrefix(
                "the service dropped traceparent: trace \(probe.stamp.traceID) came back in no response header and no log line"
            ))

        let start = ContinuousClock.now
        let diagnosis = await probe.diagnose(sent, logs: logs, within: SpecDuration(seconds: 1))
        #expect(diagnosis.status == .fail)
        #expect(diagnosis.summary.contains("is not in app.log after 1s"), "\(diagnosis.summary)")
        #expect(ContinuousClock.now - start < .seconds(2))
        await session.shutdown()
        await server.shutdown()
    }

    @Test("B3: the headers sent, and a response that hands the trace on")
    func b3() {
        let stamp = TraceStamp(propagation: .b3)
        #expect(stamp.traceID.count == 32 && stamp.spanID.count == 16)
        #expect(stamp.headers.first?.value == "\(stamp.traceID)-\(stamp.spanID)-1")
        #expect(stamp.isContinued(by: [("X-B3-TraceId", stamp.traceID.uppercased())]))
        #expect(stamp.isContinued(by: [("b3", "\(stamp.traceID)-00f067aa0ba902b7-1")]))
        #expect(!stamp.isContinued(by: [("b3", "0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-1")]))
        let w3c = TraceStamp()
        #expect(w3c.isContinued(by: [("Traceparent", "00-\(w3c.traceID)-00f067aa0ba902b7-01")]))
    }

    @Test("health: an unhealthy answer is definite; no answer within the budget fails at the budget")
    func health() async throws {
        let sick = try await LoopbackHTTPServer(.status(503))
        let session = try HTTPSession()
        let unhealthy = await HealthCheck.run(session: session, url: sick.url, within: SpecDuration(seconds: 2))
        #expect(unhealthy.status == .fail)
        #expect(unhealthy.summary.contains("answered 503"))
        let port = Loopback.closedPort()
        let start = ContinuousClock.now
        let nobody = await HealthCheck.run(
            session: session, url: "http://127.0.0.1:\(port)/healthz", within: SpecDuration(seconds: 1))
        let elapsed = ContinuousClock.now - start
        #expect(nobody.status == .fail)
        #expect(nobody.summary.contains("within 1s"), "\(nobody.summary)")
        #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(1500), "\(elapsed)")
        await session.shutdown()
        await sick.shutdown()
    }
}
