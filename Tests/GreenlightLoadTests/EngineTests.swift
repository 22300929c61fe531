import Foundation
import GreenlightCore
import GreenlightTestSupport
import NIOCore
import Testing

@testable import GreenlightLoad

@Suite("The load engine against loopback servers", .serialized)
struct EngineTests {
    func plan(_ url: String, rate: Double?, connections: Int?, seconds: Double, threads: Int = 2, timeout: Double = 10)
        throws -> LoadPlan
    {
        try LoadPlanner.adHoc(
            url: url, method: "GET", headers: [], body: Data(), rate: rate, connections: connections,
            duration: seconds, rampUp: 0, rampDown: 0, threads: threads, timeout: timeout,
            slice: .init(index: 1, count: 1))
    }

    @Test("open model: the requests started match the schedule within 1 %, none dropped")
    func openRateAccuracy() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        let result = try await LoadEngine(plan: plan(server.url, rate: 2000, connections: 32, seconds: 2)).run()
        let s = result.summary
        #expect(s.dropped == 0)
        #expect(abs(Double(s.sent) - 4000) <= 40, "sent \(s.sent) of 4000")
        #expect(s.requests == s.sent)
        #expect(s.errors == 0)
        #expect(server.requestCount == Int(s.sent))
        #expect(abs(result.durationSeconds - 2) < 0.05)
        // The timeline accounts for every response.
        #expect(result.timeline.reduce(0) { $0 + $1.counters.responses } == s.requests)
        #expect(result.latency.count == s.requests)
    }

    @Test("open model with a ramp: arrivals follow the profile")
    func openRamp() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        var p = try plan(server.url, rate: 1000, connections: 16, seconds: 1)
        p.profile = Profile(level: 1000, rampUp: 1, sustain: 1, rampDown: 0)
        let result = try await LoadEngine(plan: p).run()
        // 500 in the ramp + 1000 sustained.
        #expect(abs(Double(result.summary.sent) - 1500) <= 15, "sent \(result.summary.sent)")
        let first = result.timeline.first { $0.second == 0 }?.counters.sent ?? 0
        let second = result.timeline.first { $0.second == 1 }?.counters.sent ?? 0
        #expect(first < second, "the ramp starts slower: \(first) then \(second)")
    }

    @Test("latency counts from the intended start: a 400 ms stall shows in p99 (no coordinated omission)")
    func coordinatedOmission() async throws {
        // The server holds every response due between 1.0 s and 1.4 s after it starts.
        let server = try await LoopbackHTTPServer(.stall(start: 1.0, end: 1.4))
        defer { Task { await server.shutdown() } }
        let result = try await LoadEngine(plan: plan(server.url, rate: 500, connections: 8, seconds: 2.5)).run()
        let s = result.summary
        // 200 of ~1250 requests were due in the stall; their true latencies spread over 0…400 ms,
        // so p90 lies inside the stall and the max is near 400 ms. With only 8 connections, a
        // generator that waited for them would have sent ~8 requests in the stall and hidden it.
        #expect(s.maxMs >= 350, "max \(s.maxMs)")
        #expect(s.p90Ms >= 20, "p90 \(s.p90Ms)")
        #expect(s.p99Ms >= 300, "p99 \(s.p99Ms)")
        #expect(s.dropped == 0)
        #expect(abs(Double(s.sent) - 1250) <= 15)
    }

    @Test("closed model: each connection sends its next request on a response")
    func closedModel() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        let result = try await LoadEngine(plan: plan(server.url, rate: nil, connections: 4, seconds: 1)).run()
        #expect(result.summary.requests > 200)
        #expect(result.summary.errors == 0)
        #expect(result.connectionsOpen == 0 || result.connectionsOpen <= 4)
        #expect(result.model == .closed)
    }

    @Test("an unreachable target fails fast with the reason")
    func unreachable() async throws {
        let start = Date()
        await #expect(throws: LoadError.self) {
            _ = try await LoadEngine(plan: plan("http://127.0.0.1:9/", rate: 100, connections: 4, seconds: 5)).run()
        }
        do {
            _ = try await LoadEngine(plan: plan("http://127.0.0.1:9/", rate: 100, connections: 4, seconds: 5)).run()
        } catch {
            #expect("\(error)".contains("connection refused"), "\(error)")
        }
        #expect(Date().timeIntervalSince(start) < 4)
    }

    @Test("error classes: 5xx, 4xx, malformed responses, bodies cut short, timeouts")
    func errorClasses() async throws {
        for (behaviour, kind) in [
            (LoopbackHTTPServer.Behaviour.status(503), ErrorClass.status5xx), (.status(404), .status4xx),
            (.garbage, .protocolError), (.truncated, .protocolError), (.silent, .timeout),
        ] {
            let server = try await LoopbackHTTPServer(behaviour)
            let result = try await LoadEngine(
                plan: plan(server.url, rate: 50, connections: 4, seconds: 1, timeout: 0.3)
            ).run()
            await server.shutdown()
            let count = result.counters.errors[kind.rawValue] ?? 0
            #expect(count > 0, "\(behaviour): \(result.counters.errors)")
            #expect(result.summary.errorRate > 0.5, "\(behaviour): \(result.summary.errorRate)")
        }
    }

    @Test("a silent target: requests time out, and the notes say greenlight closed the connections, not the server")
    func silentTarget() async throws {
        let server = try await LoopbackHTTPServer(.silent)
        defer { Task { await server.shutdown() } }
        let result = try await LoadEngine(
            plan: plan(server.url, rate: 10, connections: 4, seconds: 1, timeout: 0.3)
        ).run()
        #expect(result.counters.errors[ErrorClass.timeout.rawValue] == result.summary.sent, "\(result.counters.errors)")
        #expect(
            result.notes.contains {
                $0.hasPrefix("request timed out: no response within 300 ms, so greenlight closed the connection")
            }, "\(result.notes)")
        #expect(!result.notes.contains { $0.contains("server closed") }, "\(result.notes)")
    }

    @Test("too few connections for a slow server: arrivals wait, then count as dropped")
    func dropped() async throws {
        let server = try await LoopbackHTTPServer(.silent)
        defer { Task { await server.shutdown() } }
        var p = try plan(server.url, rate: 200, connections: 2, seconds: 2, timeout: 5)
        p.maximumQueueDelay = 0.2
        let result = try await LoadEngine(plan: p).run()
        #expect(result.summary.dropped > 300, "dropped \(result.summary.dropped)")
        #expect(result.notes.contains { $0.contains("dropped") })
    }

    @Test("shards take every n-th arrival: two slices together send what one run sends")
    func shards() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        var parts: [(String, LoadResult)] = []
        for i in 1...2 {
            var p = try plan(server.url, rate: 1000, connections: 8, seconds: 1)
            p.slice = .init(index: i, count: 2)
            parts.append(("slice \(i)", try await LoadEngine(plan: p).run()))
        }
        #expect(abs(Double(parts[0].1.summary.sent) - 500) <= 5)
        #expect(abs(Double(parts[1].1.summary.sent) - 500) <= 5)
        let merged = try LoadResult.merge(parts)
        #expect(abs(Double(merged.summary.sent) - 1000) <= 10)
        #expect(merged.latency.count == parts[0].1.latency.count + parts[1].1.latency.count)
    }

    @Test("thresholds: judged at the end; a hopeless one stops the run early")
    func thresholds() async throws {
        let server = try await LoopbackHTTPServer(.status(500))
        defer { Task { await server.shutdown() } }
        let limits = try ["error_rate < 1%", "p99 < 5s", "rps >= 1"].map { try Threshold(parsing: $0) }
        let start = Date()
        let result = try await LoadEngine(plan: plan(server.url, rate: 200, connections: 8, seconds: 10)).run(
            thresholds: limits, abortWhenHopeless: true)
        #expect(Date().timeIntervalSince(start) < 5, "stopped early")
        #expect(result.notes.first?.hasPrefix("stopped early: 'error_rate < 1%'") == true, "\(result.notes)")
        #expect(result.thresholds.map(\.passed) == [false, true, true])
        #expect(result.thresholds[0].shown.hasSuffix("%"))
        #expect(result.stoppedEarly?.hasPrefix("'error_rate < 1%' can no longer pass") == true)
    }

    @Test("a stop requested from outside (Ctrl-C) ends the run with what it measured, marked stopped early")
    func stopFromOutside() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        let stop = LoadStop()
        let limits = [try Threshold(parsing: "rps >= 1")]
        let run = Task {
            try await LoadEngine(plan: plan(server.url, rate: 100, connections: 4, seconds: 30)).run(
                thresholds: limits, stop: stop)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while server.requestCount < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let asked = ContinuousClock.now
        stop.request("interrupted by SIGINT")
        stop.request("a later reason does not replace the first")
        let result = try await run.value
        #expect(ContinuousClock.now - asked < .seconds(2), "stopping took \(ContinuousClock.now - asked)")
        #expect(result.stoppedEarly == "interrupted by SIGINT")
        #expect(result.notes.first == "stopped early: interrupted by SIGINT")
        #expect(result.durationSeconds < 5)
        #expect(result.summary.requests >= 20)
        #expect(result.summary.requests == result.summary.sent)
        #expect(result.thresholds.map(\.passed) == [true])
    }

    @Test("a stop requested before the first request: the run ends at once, with no response")
    func stopBeforeStart() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        let stop = LoadStop()
        stop.request("interrupted by SIGTERM")
        let start = ContinuousClock.now
        let result = try await LoadEngine(plan: plan(server.url, rate: 100, connections: 4, seconds: 30)).run(
            stop: stop)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(result.stoppedEarly == "interrupted by SIGTERM")
        #expect(result.durationSeconds < 1)
    }

    @Test("a run that ends by its profile is not marked stopped early")
    func notStopped() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        let result = try await LoadEngine(plan: plan(server.url, rate: 100, connections: 4, seconds: 1)).run(
            stop: LoadStop())
        #expect(result.stoppedEarly == nil)
        #expect(!String(decoding: result.encoded(), as: UTF8.self).contains("stopped_early"))
    }
}

@Suite("The load engine over HTTPS", .serialized)
struct TLSEngineTests {
    @Test("HTTPS through NIOSSL: trusted by a CA file, or insecure; refused when untrusted")
    func https() async throws {
        let tls = try await TestCertificate.make(
            commonName: "127.0.0.1", names: ["IP:127.0.0.1"], notBefore: Date().addingTimeInterval(-86_400),
            notAfter: Date().addingTimeInterval(2 * 86_400))
        defer { tls.remove() }
        let server = try await LoopbackHTTPServer(.ok, certificate: tls)
        defer { Task { await server.shutdown() } }
        func plan() throws -> LoadPlan {
            try LoadPlanner.adHoc(
                url: server.url, method: "GET", headers: [], body: Data(), rate: 200, connections: 4, duration: 1,
                rampUp: 0, rampDown: 0, threads: 1, timeout: 5, slice: .init(index: 1, count: 1))
        }
        var trusted = try plan()
        trusted.target.trust = .customCA(path: tls.certificatePath)
        let a = try await LoadEngine(plan: trusted).run()
        #expect(a.summary.requests == 200 && a.summary.errors == 0, "\(a.counters.errors) \(a.notes)")

        var insecure = try plan()
        insecure.target.trust = .insecure
        let b = try await LoadEngine(plan: insecure).run()
        #expect(b.summary.requests == 200 && b.summary.errors == 0, "\(b.counters.errors) \(b.notes)")

        // A session (smoke steps with assertions) over TLS, trusted through the environment's `ca`.
        var policy = RiskPolicy.standard
        policy.minimumLoadDuration = SpecDuration("1s")!
        let text = """
            \(SpecFixtures.header(name: "tls", owner: "team"))
            environments:
              staging: { url: "\(server.url)", ca: \(tls.certificatePath) }
            traffic: { expected_peak_rps: 20 }
            smoke:
              scenarios:
                - name: twice
                  steps:
                    - request: { path: /a }
                      expect: { status: 200, body_contains: ok }
                    - request: { path: /b }
                      expect: { status: 200 }
            load:
              duration: 1s
              mix: [{ weight: 1, scenario: twice }]
            """
        let spec = try SpecFixtures.load(text, policy: policy, file: "tls.yaml", directory: tls.directory.path)
        let sessions = try await LoadEngine(
            plan: LoadPlanner.plan(spec: spec, environment: "staging", options: .init(threads: 1))
        ).run()
        #expect(sessions.counters.iterations == 60, "\(sessions.counters) \(sessions.notes)")
        #expect(sessions.summary.requests == 120 && sessions.summary.errors == 0, "\(sessions.notes)")

        do {
            _ = try await LoadEngine(plan: try plan()).run()
            Issue.record("an untrusted certificate was accepted")
        } catch {
            #expect("\(error)".contains("cannot connect to https://127.0.0.1:\(server.port): TLS"), "\(error)")
        }
    }
}

@Suite("The load engine when servers misbehave between requests", .serialized)
struct EngineEdgeTests {
    func plan(_ url: String, rate: Double?, connections: Int, seconds: Double, timeout: Double = 10) throws -> LoadPlan
    {
        try LoadPlanner.adHoc(
            url: url, method: "GET", headers: [], body: Data(), rate: rate, connections: connections,
            duration: seconds, rampUp: 0, rampDown: 0, threads: 1, timeout: timeout,
            slice: .init(index: 1, count: 1))
    }

    @Test("closed model with think time: a server closing idle connections is no error, and no user doubles up")
    func thinkTimeAndIdleClose() async throws {
        let server = try await LoopbackHTTPServer(.closeWhenIdle(0.1))
        defer { Task { await server.shutdown() } }
        var p = try plan(server.url, rate: nil, connections: 4, seconds: 2)
        p.thinkTime = 0.3
        let result = try await LoadEngine(plan: p).run()
        #expect(result.summary.errors == 0, "\(result.counters.errors) \(result.notes)")
        // 4 users, one request about every 0.3 s for 2 s: about 28, never twice that.
        #expect((20...36).contains(result.summary.requests), "\(result.summary.requests)")
    }

    @Test("a TLS handshake that never completes fails the start within the timeout")
    func handshakeTimeout() async throws {
        let server = try await LoopbackHTTPServer(.silent)
        defer { Task { await server.shutdown() } }
        let start = Date()
        do {
            _ = try await LoadEngine(
                plan: plan("https://127.0.0.1:\(server.port)/", rate: 10, connections: 2, seconds: 5, timeout: 0.5)
            ).run()
            Issue.record("a silent TLS server was accepted")
        } catch {
            #expect("\(error)".contains("TLS handshake did not complete within 500 ms"), "\(error)")
        }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test("stopping early lets requests in flight finish: none turns into an error")
    func earlyStopDrains() async throws {
        let server = try await LoopbackHTTPServer(.stall(start: 0.5, end: 0.8))
        defer { Task { await server.shutdown() } }
        let limits = [try Threshold(parsing: "max < 100ms")]
        let result = try await LoadEngine(plan: plan(server.url, rate: 200, connections: 16, seconds: 5)).run(
            thresholds: limits, abortWhenHopeless: true)
        #expect(result.notes.first?.hasPrefix("stopped early") == true, "\(result.notes)")
        #expect(result.durationSeconds < 2)
        #expect(result.counters.errors.isEmpty, "\(result.counters.errors)")
        #expect(result.summary.requests == result.summary.sent)
    }

    @Test("arrivals waiting for a connection when the run ends still start: a stall at the end drops nothing")
    func stallAtTheEnd() async throws {
        let server = try await LoopbackHTTPServer(.stall(start: 1.8, end: 2.3))
        defer { Task { await server.shutdown() } }
        let result = try await LoadEngine(plan: plan(server.url, rate: 200, connections: 8, seconds: 2)).run()
        #expect(result.summary.dropped == 0, "\(result.notes)")
        #expect(abs(Double(result.summary.requests) - 400) <= 4, "\(result.summary.requests)")
        #expect(result.summary.maxMs >= 400)
    }

    @Test("latencies at the 100 s ceiling survive the trip through a result file")
    func ceiling() throws {
        var h = LatencyHistogram()
        h.record(microseconds: 250_000_000)
        h.record(microseconds: 99_990_000)
        h.record(microseconds: 1200)
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(h))
        #expect(decoded == h)
        var coarse = LatencyHistogram(significantDigits: .two)
        coarse.record(microseconds: 99_800_000)
        #expect(try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(coarse)) == coarse)
    }
}
