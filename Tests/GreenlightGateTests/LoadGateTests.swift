import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightLoad
import GreenlightTestSupport
import Testing

@testable import GreenlightGate

/// The load test inside the gate, as a library: DemoShop in this process, the spec's load section,
/// slices merged exactly, and the load-testing item decided by what ran.
@Suite("Load in the gate", .serialized)
struct LoadGateTests {
    /// The built-in policy with a 1 s load minimum, so a 2 s test counts as sustained.
    static let policy = try! RiskPolicy.parse(SpecFixtures.shortLoadPolicy, file: "policy.yaml")

    static func load(_ text: String) throws -> ReleaseSpec {
        try SpecFixtures.load(text, policy: policy, file: "release.yaml")
    }

    static func loadItem(_ report: Report) throws -> CheckResult {
        try #require(report.checks.first { $0.id == "checklist.load-testing" })
    }

    @Test("slices run apart and merged exactly pass the item; one slice alone does not")
    func slicesMergedAndJudged() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let spec = try Self.load(SpecFixtures.loadSpec(port: shop.port, thresholds: ["p99 < 2s", "error_rate < 1%"]))
        var slices: [(name: String, result: LoadResult)] = []
        for i in 1...2 {
            var options = LoadOptions(threads: 1)
            options.shard = "\(i)/2"
            let result = try await options.job(spec: spec).run()
            #expect(result.headline.contains("slices \(i)/2"))
            slices.append(("slice-\(i).json", result))
        }
        await shop.stop()
        let merged = try LoadResult.merge(slices)
        // 60 arrivals/s for 2 s, split between the slices: 3 in 4 are sessions, 1 in 4 a plain request.
        #expect(abs(Int(merged.summary.iterations) - 90) <= 2, "\(merged.summary)")
        #expect(abs(Int(merged.summary.requests) - 120) <= 2, "\(merged.summary)")
        #expect(merged.slices.map(\.index) == [1, 2])

        var run = ReadinessRun(spec: spec, policy: Self.policy, environment: "staging")
        run.parts = [.load]
        run.loadResult = merged
        let report = try await run.run()
        let item = try Self.loadItem(report)
        #expect(item.status == .pass, "\(item)")
        #expect(report.loadTimeline != nil)

        run.loadResult = slices[0].result
        let half = try Self.loadItem(try await run.run())
        #expect(half.status == .fail)
        #expect(half.summary.contains("only 1 of 2 slices"), "\(half)")
    }

    @Test("the run executes the load test itself; a threshold that fails fails the load-testing item")
    func runExecutesLoad() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let spec = try Self.load(SpecFixtures.loadSpec(port: shop.port, thresholds: ["p99 < 1us"]))
        var run = ReadinessRun(spec: spec, policy: Self.policy, environment: "staging")
        run.parts = [.load]
        let report = try await run.run()
        await shop.stop()
        let item = try Self.loadItem(report)
        #expect(item.status == .fail)
        #expect(item.summary.contains("p99 < 1us: measured"), "\(item)")
        #expect(!report.isGo)
    }

    @Test(
        "bad load options name the option",
        arguments: [
            (["--url", "http://x/", "--shard", "3/2"], "--shard '3/2'"),
            (["--url", "http://x/", "--rate", "-5"], "--rate"),
            (["--url", "http://x/", "--duration", "banana"], "--duration 'banana'"),
            (["--url", "ftp://x/"], "greenlight load speaks http:// and https://"),
            (["--url", "http://x/", "--threshold", "p99 < fast"], "--threshold 'p99 < fast'"),
            (["--url", "http://x/", "--header", "no colon"], "--header 'no colon'"),
            (["--url", "http://x/", "--threads", "0"], "--threads must be 1 to 256"),
            (["--url", "http://127.0.0.1:70000/"], "has port 70000; a port is from 1 to 65535"),
            (["--url", "http://127.0.0.1:0/"], "has port 0; a port is from 1 to 65535"),
            // Request injection: nothing given on the command line may add a header or a request line.
            (
                ["--url", "http://x/", "--header", "X-A: a\r\nInjected: yes"],
                "the value of header 'X-A' holds a line break or another control character"
            ),
            (["--url", "http://x/", "--header", "Bad Name: x"], "the header name 'Bad Name' is not an HTTP token"),
            (
                ["--url", "http://x/", "--method", "GET /evil HTTP/1.1\r\nX:"],
                "the method 'GET /EVIL HTTP/1.1\\r\\nX:' is not an HTTP token"
            ),
            ([], "give a spec file, or --url"),
        ])
    func badOptions(arguments: [String], message: String) {
        var options = LoadOptions(threads: 1)
        var i = 0
        while i + 1 < arguments.count {
            let value = arguments[i + 1]
            switch arguments[i] {
            case "--url": options.url = value
            case "--shard": options.shard = value
            case "--rate": options.rate = Double(value)
            case "--duration": options.duration = value
            case "--threshold": options.thresholds.append(value)
            case "--header": options.headers.append(value)
            case "--threads": options.threads = Int(value) ?? 0
            case "--method": options.method = value
            default: Issue.record("unknown option \(arguments[i])")
            }
            i += 2
        }
        let error = #expect(throws: GateError.self) { try options.job(spec: nil) }
        #expect(error?.usage == true)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("a spec header whose value from the environment holds CR/LF is refused before any request")
    func specHeaderInjection() throws {
        let text = SpecFixtures.loadSpec(port: 1, thresholds: []).replacingOccurrences(
            of: "{ weight: 1, request: { path: /healthz } }",
            with: "{ weight: 1, request: { path: /healthz, headers: { X-Trace: \"${TRACE}\" } } }")
        #expect(text.contains("${TRACE}"))
        // Refused where the spec is read, at the header's place, with the value not shown.
        let diagnostics = SpecFixtures.diagnostics(text, env: ["TRACE": "t-1\r\nInjected: yes"])
        #expect(
            diagnostics.contains {
                $0.contains("load.mix[1].request.headers.X-Trace: holds a line break or another control character")
            }, "\(diagnostics)")
        #expect(!diagnostics.joined().contains("Injected"))
    }

    @Test("a run that got no response says that nothing was measured, not 0 ms")
    func nothingMeasured() async throws {
        let server = try await LoopbackHTTPServer(.silent)
        var options = LoadOptions(threads: 1)
        options.url = server.url
        options.rate = 20
        options.duration = "1s"
        options.timeout = "500ms"
        options.thresholds = ["p99 < 1s"]
        let result = try await options.job(spec: nil).run()
        await server.shutdown()
        let lines = result.summaryLines().joined(separator: "\n")
        #expect(lines.contains("latency     nothing was measured: no response arrived"), "\(lines)")
        #expect(lines.contains("threshold   ✖ p99 < 1s (nothing was measured)"), "\(lines)")
        #expect(!lines.contains("0.00 ms"))
    }

    @Test("options that go with --url are refused with a spec")
    func adHocOnlyWithSpec() throws {
        let spec = try Self.load(SpecFixtures.loadSpec(port: 1, thresholds: []))
        var options = LoadOptions(threads: 1)
        options.rate = 100
        let error = #expect(throws: GateError.self) { try options.job(spec: spec) }
        #expect(error?.message == "--rate goes with --url; with a spec, the load section decides it")
    }
}
