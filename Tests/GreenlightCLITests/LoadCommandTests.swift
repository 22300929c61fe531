import Foundation
import GreenlightTestSupport
import Testing

/// DemoShop started through the binary (`greenlight demo shop --port 0`), for the load command's tests.
final class ShopProcess {
    let process = Process()
    var port = 0
    var url: String { "http://127.0.0.1:\(port)" }

    init() throws {
        process.executableURL = CLI.binary
        process.arguments = ["demo", "shop", "--port", "0"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, port == 0 {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
            }
        }
        pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
        if port == 0 {
            stop()
            throw CommandFailure("DemoShop did not start: \(text)")
        }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

@Suite("greenlight load", .serialized)
struct LoadCommandTests {
    func json(_ path: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any] ?? [:]
    }

    @Test("--url --rate: an open-model run prints the summary, writes the result, exits 0 when thresholds hold")
    func adHocOpen() throws {
        let shop = try ShopProcess()
        defer { shop.stop() }
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let out = dir.appendingPathComponent("r.json")
        let r = try CLI.run([
            "load", "--url", shop.url + "/healthz", "--rate", "200", "--duration", "2s", "--out", out.path,
            "--threshold", "p99 < 2s", "--threshold", "error_rate < 1%", "--watch-pid",
            "\(shop.process.processIdentifier)",
        ])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("open model · 200 req/s for 2 s"))
        #expect(r.stdout.contains("threshold   ✔ p99 < 2s"))
        #expect(
            r.stdout.contains("target use  process greenlight (pid \(shop.process.processIdentifier))"), "\(r.stdout)")
        #expect(r.stderr.contains("greenlight load: \(shop.url)/healthz: 200 req/s (open model)"))
        let result = try json(out)
        #expect(result["format"] as? String == "greenlight-load")
        let summary = try #require(result["summary"] as? [String: Any])
        #expect((summary["sent"] as? Int).map { abs($0 - 400) <= 4 } == true, "\(summary)")
        #expect(summary["dropped"] as? Int == 0)
        let latency = try #require(result["latency"] as? [String: Any])
        #expect((latency["buckets"] as? [[Int]])?.isEmpty == false)
        #expect((result["timeline"] as? [Any])?.count ?? 0 >= 2)
        let resources = try #require(result["resources"] as? [String: Any])
        #expect((resources["samples"] as? [Any])?.isEmpty == false)
    }

    @Test("--json with a secret header: the result is masked and printed, not refused as a masking bug")
    func jsonWithSecretHeader() throws {
        let shop = try ShopProcess()
        defer { shop.stop() }
        let secret = "glt_s3cr3t-token-for-the-load-test"
        let r = try CLI.run([
            "load", "--url", shop.url + "/healthz", "--rate", "50", "--duration", "1s", "--header",
            "Authorization: Bearer \(secret)", "--json",
        ])
        #expect(r.status == 0, "\(r.all)")
        let result = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(result?["format"] as? String == "greenlight-load", "\(r.all)")
        #expect((result?["started_at"] as? String)?.hasPrefix("20") == true)
        #expect(!r.all.contains(secret))
    }

    @Test("a failed threshold exits 1 and says what was measured; closed model with --connections")
    func failedThreshold() throws {
        let shop = try ShopProcess()
        defer { shop.stop() }
        let r = try CLI.run([
            "load", "--url", shop.url + "/healthz", "--connections", "4", "--duration", "1s", "--threshold",
            "p50 < 1us",
        ])
        #expect(r.status == 1, "\(r.all)")
        #expect(r.stdout.contains("closed model · 4 virtual users"))
        #expect(r.stdout.contains("threshold   ✖ p50 < 1us (measured "))
    }

    @Test("an unreachable target fails fast, exit 1, with the reason")
    func unreachable() throws {
        let start = Date()
        let r = try CLI.run(["load", "--url", "http://127.0.0.1:9/", "--rate", "100", "--duration", "30s"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot connect to http://127.0.0.1:9: connection refused"), "\(r.all)")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test(
        "bad options exit 2 with the option named (the whole table is LoadGateTests.badOptions)",
        arguments: [
            (["--url", "http://x/", "--shard", "3/2"], "--shard '3/2'"),
            ([], "give a spec file, or --url"),
        ])
    func badOptions(arguments: [String], message: String) throws {
        let r = try CLI.run(["load"] + arguments)
        #expect(r.status == 2, "\(r.all)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test("load merge and check --load-result through the binary: exit codes and the files they write")
    func specShardsMergeCheck() throws {
        let shop = try ShopProcess()
        defer { shop.stop() }
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        try SpecFixtures.loadSpec(port: shop.port, thresholds: ["p99 < 2s", "error_rate < 1%"]).write(
            to: dir.appendingPathComponent("release.yaml"), atomically: true, encoding: .utf8)
        try SpecFixtures.shortLoadPolicy.write(
            to: dir.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        for i in 1...2 {
            let r = try CLI.run(
                ["load", "release.yaml", "--policy", "policy.yaml", "--shard", "\(i)/2", "--out", "slice-\(i).json"],
                in: dir)
            #expect(r.status == 0, "\(r.all)")
            #expect(r.stdout.contains("slices \(i)/2"))
        }
        let merge = try CLI.run(["load", "merge", "slice-1.json", "slice-2.json", "--out", "load.json"], in: dir)
        #expect(merge.status == 0, "\(merge.all)")
        #expect((try json(dir.appendingPathComponent("load.json"))["slices"] as? [[String: Int]])?.count == 2)
        let check = try CLI.run(
            ["check", "release.yaml", "--policy", "policy.yaml", "--load-result", "load.json", "--report-dir", "out"],
            in: dir)
        let report = try json(dir.appendingPathComponent("out/report.json"))
        let checks = try #require(report["checks"] as? [[String: Any]])
        let item = try #require(checks.first { $0["id"] as? String == "checklist.load-testing" })
        #expect(item["status"] as? String == "pass", "\(item) \(check.all)")
        #expect(try String(contentsOf: dir.appendingPathComponent("out/report.html"), encoding: .utf8).contains("<svg"))
        let half = try CLI.run(
            ["check", "release.yaml", "--policy", "policy.yaml", "--load-result", "slice-1.json", "--json"], in: dir)
        #expect(half.status == 1)
    }

    @Test("invalid load settings in a spec exit 2 with file:line:col")
    func invalidSpec() throws {
        let folder = try TemporaryFolder("gl-test")
        defer { folder.remove() }
        let dir = folder.url
        let text = SpecFixtures.loadSpec(port: 1, thresholds: ["p99 < fast"]).replacingOccurrences(
            of: "duration: 2s", with: "duration: 2s\n  ramp_up: soon")
        try text.write(to: dir.appendingPathComponent("release.yaml"), atomically: true, encoding: .utf8)
        try SpecFixtures.shortLoadPolicy.write(
            to: dir.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["load", "release.yaml", "--policy", "policy.yaml"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("release.yaml:16:12: load.ramp_up:"), "\(r.stderr)")
        #expect(r.stderr.contains("release.yaml:20:16: load.thresholds[0]:"), "\(r.stderr)")
    }
}

@Suite("greenlight load progress", .serialized)
struct LoadProgressTests {
    @Test("on a terminal: a live line about twice a second (run under a pseudo-terminal with script)")
    func liveLine() throws {
        let shop = try ShopProcess()
        defer { shop.stop() }
        let command = "'\(CLI.binary.path)' load --url \(shop.url)/healthz --rate 50 --duration 2s"
        let r = try CLI.runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], env: ["TERM": "xterm"])
        #expect(r.status == 0, "\(r.all)")
        // Each update rewrites the line in place: carriage return, erase line, the status.
        let updates = r.stdout.components(separatedBy: "\r\u{1B}[2K[").count - 1
        #expect(updates >= 2, "\(updates) updates: \(r.stdout.debugDescription)")
        #expect(r.stdout.contains(" s / 2 s]") && r.stdout.contains("req/s · p99"))
        #expect(r.stdout.contains("requests    100 in"))
    }

    @Test("without a terminal: a plain line every 10 s on stderr")
    func periodicLine() throws {
        let shop = try ShopProcess()
        defer { shop.stop() }
        let r = try CLI.run(["load", "--url", shop.url + "/healthz", "--rate", "20", "--duration", "11s"])
        #expect(r.status == 0, "\(r.all)")
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("[") }
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(lines.first?.hasPrefix("[  10 s / 11 s]") == true, "\(r.stderr)")
        #expect(!r.stderr.contains("\u{1B}"))
    }
}
