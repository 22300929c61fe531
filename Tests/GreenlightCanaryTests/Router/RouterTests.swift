import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightTestSupport
import NIOCore
import Testing

@testable import GreenlightCanary

/// Starts a router in front of two test upstreams named "baseline" and "canary".
func withRouter(
    weight: Double = 0, stickiness: RouterStickiness = .header("X-User"),
    configure: (inout RouterConfiguration) -> Void = { _ in },
    _ body: (CanaryRouter, TestUpstream, TestUpstream) async throws -> Void
) async throws {
    let baseline = try await TestUpstream.start("baseline")
    let canary = try await TestUpstream.start("canary")
    var config = RouterConfiguration(
        baseline: RouterUpstream(host: "127.0.0.1", port: baseline.port),
        canary: RouterUpstream(host: "127.0.0.1", port: canary.port))
    config.weight = weight
    config.group = "checkout"
    config.stickiness = stickiness
    config.threads = 2
    configure(&config)
    let router = try await CanaryRouter.start(config)
    do {
        try await body(router, baseline, canary)
    } catch {
        await router.stop()
        await baseline.stop()
        await canary.stop()
        throw error
    }
    await router.stop()
    await baseline.stop()
    await canary.stop()
}

@Suite("The canary router", .serialized)
struct RouterTests {
    @Test("a response says its arm, and a key stays on its arm")
    func armHeaderAndStickiness() async throws {
        try await withRouter(weight: 50) { router, _, _ in
            let client = try RawClient(port: router.port)
            for user in 0..<200 {
                let key = "user-\(user)"
                let expected =
                    StickyBucket.includes(group: "checkout", key: key, percentage: 50) ? "canary" : "baseline"
                for _ in 0..<3 {
                    let response = try client.get("/", headers: ["X-User": key])
                    #expect(response.status == 200)
                    #expect(response.headers["x-greenlight-arm"] == expected)
                    #expect(response.headers["x-upstream"] == expected)
                }
            }
        }
    }

    @Test("a sticky cookie picks the arm, and without one the client IP does")
    func cookieAndClientIP() async throws {
        try await withRouter(weight: 50, stickiness: .cookie("uid")) { router, _, _ in
            let client = try RawClient(port: router.port)
            for user in 0..<50 {
                let expected =
                    StickyBucket.includes(group: "checkout", key: "u\(user)", percentage: 50) ? "canary" : "baseline"
                let response = try client.get("/", headers: ["Cookie": "a=b; uid=u\(user); c=d"])
                #expect(response.headers["x-greenlight-arm"] == expected)
            }
            let byIP =
                StickyBucket.includes(group: "checkout", key: "127.0.0.1", percentage: 50) ? "canary" : "baseline"
            #expect(try client.get("/").headers["x-greenlight-arm"] == byIP)
        }
    }

    @Test("weight 5 sends 5 % ± 1 % of 20,000 distinct keys to the canary, through the router")
    func splitAccuracy() async throws {
        try await withRouter(weight: 5) { router, _, _ in
            let started = ContinuousClock.now
            var canary = 0
            let clients = try (0..<4).map { _ in try RawClient(port: router.port) }
            for key in 0..<20_000 {
                let response = try clients[key % 4].get("/", headers: ["X-User": "user-\(key)"])
                if response.headers["x-greenlight-arm"] == "canary" { canary += 1 }
                #expect(ContinuousClock.now - started < .seconds(120))
            }
            let share = Double(canary) / 20_000
            #expect(abs(share - 0.05) <= 0.01, "canary share \(share)")
            #expect(router.metrics.snapshot(.canary).requests == UInt64(canary))
            #expect(router.metrics.snapshot(.baseline).requests == UInt64(20_000 - canary))
        }
    }

    @Test("weight 0 drains: no new request goes to the canary, an in-flight one finishes")
    func drain() async throws {
        try await withRouter(weight: 100) { router, _, canaryUpstream in
            let slow = try RawClient(port: router.port)
            // A 20 MB canary response in flight (the canary has its connection) while the weight drops to 0.
            try slow.send("GET /bytes/20000000 HTTP/1.1\r\nHost: t\r\nX-User: a\r\n\r\n")
            let deadline = ContinuousClock.now + .seconds(5)
            while canaryUpstream.connectionsAccepted == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            try router.setWeight(0)
            let client = try RawClient(port: router.port)
            for user in 0..<100 {
                #expect(try client.get("/", headers: ["X-User": "u\(user)"]).headers["x-greenlight-arm"] == "baseline")
            }
            let inFlight = try slow.readResponse()
            #expect(inFlight.status == 200)
            #expect(inFlight.headers["x-greenlight-arm"] == "canary")
            #expect(inFlight.body.count == 20_000_000)
        }
    }

    @Test("keep-alive: sequential requests reuse one upstream connection per event loop")
    func keepAliveReuse() async throws {
        try await withRouter { router, baseline, _ in
            for _ in 0..<5 {
                let client = try RawClient(port: router.port)
                for _ in 0..<40 { #expect(try client.get("/").status == 200) }
            }
            // Two event loops: at most one connection each for sequential traffic.
            #expect(baseline.connectionsAccepted >= 1)
            #expect(baseline.connectionsAccepted <= 2)
            #expect(router.metrics.snapshot(.baseline).connectionsOpened == UInt64(baseline.connectionsAccepted))
        }
    }

    @Test("hop-by-hop headers go, X-Forwarded-For, Forwarded and Via come")
    func forwardingHeaders() async throws {
        try await withRouter { router, _, _ in
            let client = try RawClient(port: router.port)
            let response = try client.get(
                "/headers",
                headers: [
                    "Connection": "keep-alive, X-Secret", "X-Secret": "s", "Proxy-Authorization": "Basic x",
                    "TE": "trailers", "X-Forwarded-For": "10.0.0.1", "Keep-Alive": "timeout=5",
                ])
            let text = response.text.lowercased()
            #expect(!text.contains("x-secret"))
            #expect(!text.contains("proxy-authorization"))
            #expect(!text.contains("keep-alive"))
            #expect(!text.contains("\nte:"))
            #expect(text.contains("x-forwarded-for: 10.0.0.1, 127.0.0.1"))
            #expect(text.contains("forwarded: for=127.0.0.1"))
            #expect(text.contains("via: 1.1 greenlight"))
            #expect(response.headers["via"] == "1.1 greenlight")
        }
        #expect(ForwardingHeaders.forwardedNode("::1") == "for=\"[::1]\"")
    }

    @Test("an oversized request head is answered 431")
    func headerLimit() async throws {
        try await withRouter(configure: { $0.maxRequestHeaderBytes = 4096 }) { router, _, _ in
            let client = try RawClient(port: router.port)
            let response = try client.get("/", headers: ["X-Big": String(repeating: "a", count: 8000)])
            #expect(response.status == 431)
            let fresh = try RawClient(port: router.port)
            #expect(try fresh.get("/").status == 200)
        }
    }

    @Test("a slow upstream times out with 504, and the router keeps serving")
    func slowUpstream() async throws {
        try await withRouter(configure: { $0.responseHeaderTimeout = .milliseconds(300) }) { router, _, _ in
            let client = try RawClient(port: router.port)
            let started = ContinuousClock.now
            let response = try client.get("/slow")
            #expect(response.status == 504)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try client.get("/").status == 200)
            #expect(router.metrics.snapshot(.baseline).errors == 1)
        }
    }

    @Test("an upstream that dies mid-response: the client's connection closes, the router keeps serving")
    func upstreamDiesMidResponse() async throws {
        try await withRouter { router, _, _ in
            let client = try RawClient(port: router.port, timeoutSeconds: 5)
            try client.send("GET /die HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.isClosedByPeer())
            let next = try RawClient(port: router.port)
            #expect(try next.get("/").status == 200)
        }
    }

    @Test("an upstream that refuses: 502 for a POST, a GET is retried on the other arm, then marked unhealthy")
    func refusingUpstream() async throws {
        try await withRouter(
            weight: 100,
            configure: {
                $0.canary = RouterUpstream(host: "127.0.0.1", port: Loopback.closedPort())
                $0.unhealthyAfter = 3
            }
        ) { router, _, _ in
            let client = try RawClient(port: router.port)
            let post = try client.get("/", headers: ["X-User": "a", "Content-Length": "0"], method: "POST")
            #expect(post.status == 502)
            #expect(post.headers["x-greenlight-arm"] == "canary")
            let again = try RawClient(port: router.port)
            let get = try again.get("/", headers: ["X-User": "a"])
            #expect(get.status == 200)
            #expect(get.headers["x-greenlight-arm"] == "baseline")
            _ = try again.get("/", headers: ["X-User": "b"])
            #expect(!router.isHealthy(.canary))
            // Unhealthy: canary users go to the baseline without trying.
            #expect(try again.get("/", headers: ["X-User": "c"]).headers["x-greenlight-arm"] == "baseline")
        }
    }

    @Test("an unhealthy upstream is probed back: once it listens again, its users return to it")
    func probedBack() async throws {
        let port = Loopback.freePort()
        try await withRouter(
            weight: 100,
            configure: {
                $0.canary = RouterUpstream(host: "127.0.0.1", port: port)
                $0.unhealthyAfter = 2
                $0.probeInterval = .milliseconds(100)
            }
        ) { router, _, _ in
            let client = try RawClient(port: router.port)
            for user in 0..<3 {
                #expect(try client.get("/", headers: ["X-User": "u\(user)"]).headers["x-greenlight-arm"] == "baseline")
            }
            #expect(!router.isHealthy(.canary))
            let revived = try await TestUpstream.start("canary", port: port)
            let deadline = ContinuousClock.now + .seconds(5)
            while !router.isHealthy(.canary), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(router.isHealthy(.canary))
            #expect(try client.get("/", headers: ["X-User": "u0"]).headers["x-greenlight-arm"] == "canary")
            await revived.stop()
        }
    }

    @Test("Upgrade is tunnelled to the chosen arm: 101, then bytes both ways")
    func upgradeTunnel() async throws {
        try await withRouter(weight: 100) { router, _, canary in
            let client = try RawClient(port: router.port)
            try client.send(
                "GET /ws HTTP/1.1\r\nHost: t\r\nX-User: a\r\nConnection: Upgrade\r\nUpgrade: test-echo\r\n\r\n")
            let switched = try client.readResponse(head: true)
            #expect(switched.status == 101)
            #expect(switched.headers["x-greenlight-arm"] == "canary")
            #expect(switched.headers["upgrade"] == "test-echo")
            for round in 0..<3 {
                let message = "frame \(round) " + String(repeating: "x", count: 1000 * round)
                try client.send(message)
                var echoed: [UInt8] = []
                while echoed.count < message.utf8.count { echoed += try client.readSome() }
                #expect(String(decoding: echoed, as: UTF8.self) == message)
            }
            #expect(canary.connectionsAccepted == 1)
            // The router still serves other requests.
            #expect(try RawClient(port: router.port).get("/").status == 200)
        }
    }

    @Test("a WebSocket echo through the router: the RFC 6455 handshake, then masked frames out and their echo back")
    func webSocket() async throws {
        try await withRouter(weight: 100) { router, _, canary in
            let client = try RawClient(port: router.port)
            // The key and accept of RFC 6455 §1.3.
            try client.send(
                "GET /chat HTTP/1.1\r\nHost: t\r\nX-User: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            let switched = try client.readResponse(head: true)
            #expect(switched.status == 101)
            #expect(switched.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            #expect(switched.headers["upgrade"]?.lowercased() == "websocket")
            #expect(switched.headers["x-greenlight-arm"] == "canary")
            for message in ["hello", String(repeating: "canary ", count: 17)] {
                let payload = Array(message.utf8)
                #expect(payload.count < 126)
                let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
                var frame: [UInt8] = [0x81, 0x80 | UInt8(payload.count)] + mask
                frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
                try client.send(bytes: frame)
                var echoed: [UInt8] = []
                while echoed.count < 2 + payload.count { echoed += try client.readSome() }
                #expect(echoed[0] == 0x81)
                #expect(Int(echoed[1]) == payload.count)  // unmasked, from the server
                #expect(String(decoding: echoed[2...], as: UTF8.self) == message)
            }
            #expect(canary.connectionsAccepted == 1)
        }
    }

    @Test("admin: /metrics, /status, POST /weight and POST /drain")
    func admin() async throws {
        try await withRouter(weight: 10, configure: { $0.adminPort = 0 }) { router, _, _ in
            let client = try RawClient(port: router.port)
            for user in 0..<100 { _ = try client.get("/", headers: ["X-User": "u\(user)"]) }
            let admin = try RawClient(port: router.adminPort!)
            let metrics = try admin.get("/metrics").text
            let canary = router.metrics.snapshot(.canary).requests
            #expect(metrics.contains("greenlight_router_requests_total{arm=\"canary\",code=\"2xx\"} \(canary)"))
            #expect(metrics.contains("greenlight_router_requests_total{arm=\"baseline\",code=\"2xx\"} \(100 - canary)"))
            #expect(metrics.contains("greenlight_router_latency_seconds{arm=\"baseline\",quantile=\"0.99\"}"))
            #expect(metrics.contains("greenlight_router_weight 10"))
            let status = try admin.get("/status")
            #expect(status.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any]
            #expect(object?["weight"] as? Int == 10)
            try admin.send("POST /weight HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\n\r\n{\"weight\":25}")
            #expect(try admin.readResponse().status == 200)
            #expect(router.weight == 25)
            try admin.send("POST /weight HTTP/1.1\r\nHost: a\r\nContent-Length: 14\r\n\r\n{\"weight\":250}")
            #expect(try admin.readResponse().status == 400)
            try admin.send("POST /drain HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
            #expect(try admin.readResponse().status == 200)
            #expect(router.weight == 0)
        }
    }

    @Test("per-interval numbers for the judge: each interval's counts and latency distribution, per arm")
    func intervals() async throws {
        try await withRouter(
            weight: 50,
            configure: {
                $0.adminPort = 0
                $0.metricsInterval = .milliseconds(300)
            }
        ) { router, _, _ in
            let client = try RawClient(port: router.port)
            let started = Date()
            for round in 0..<2 {
                for user in 0..<40 { _ = try client.get("/", headers: ["X-User": "r\(round)-\(user)"]) }
                _ = try client.get("/nothing-\(round)", headers: ["X-User": "r\(round)-0"])
                try await Task.sleep(for: .milliseconds(400))
            }
            let intervals = router.metrics.intervals()
            #expect(intervals.count == 2, "\(intervals.map { ($0.start, $0.end) })")
            for interval in intervals {
                let total = interval.baseline.requests + interval.canary.requests
                #expect(total == 41)
                #expect(interval.baseline.statusClasses[1] + interval.canary.statusClasses[1] == 41)
                #expect(interval.baseline.latency.reduce(0) { $0 + $1.count } == interval.baseline.requests)
                #expect(interval.canary.latency.reduce(0) { $0 + $1.count } == interval.canary.requests)
                #expect(interval.start >= started.addingTimeInterval(-1))
                #expect(interval.end > interval.start)
                #expect((interval.canary.latency(atPercentile: 99) ?? 0) > 0)
            }
            #expect(intervals[1].start >= intervals[0].end)
            let admin = try RawClient(port: router.adminPort!)
            let response = try admin.get("/intervals?since=\(intervals[0].end.timeIntervalSince1970)")
            #expect(response.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect(object?["interval_seconds"] as? Double == 0.3)
            let listed = object?["intervals"] as? [[String: Any]] ?? []
            #expect(listed.count == 1)
            let canary = listed.first?["canary"] as? [String: Any]
            #expect(canary?["requests"] as? Int == Int(intervals[1].canary.requests))
            #expect((canary?["latency_us"] as? [[Int]])?.isEmpty == false)
            #expect(try admin.get("/intervals?since=soon").status == 400)
        }
    }

    @Test("admin off loopback needs a token")
    func adminToken() async throws {
        var config = RouterConfiguration(
            baseline: RouterUpstream(host: "127.0.0.1", port: 1), canary: RouterUpstream(host: "127.0.0.1", port: 2))
        config.adminPort = 0
        config.adminHost = "0.0.0.0"
        await #expect(throws: RouterError.self) { _ = try await CanaryRouter.start(config) }
    }

    @Test("pipelined requests are answered in order, each on its arm")
    func pipelining() async throws {
        try await withRouter(weight: 50) { router, _, _ in
            let client = try RawClient(port: router.port)
            var text = ""
            let users = (0..<6).map { "user-\($0)" }
            for user in users { text += "GET /headers HTTP/1.1\r\nHost: t\r\nX-User: \(user)\r\n\r\n" }
            try client.send(text)
            for user in users {
                let response = try client.readResponse()
                let expected =
                    StickyBucket.includes(group: "checkout", key: user, percentage: 50) ? "canary" : "baseline"
                #expect(response.status == 200)
                #expect(response.headers["x-greenlight-arm"] == expected)
                #expect(response.text.contains("X-User: \(user)"))
            }
        }
    }

    @Test("an HTTP/1.0 client gets a chunked answer unwrapped, ended by the close; HEAD of it has no body")
    func http10AndHead() async throws {
        try await withRouter { router, _, _ in
            let client = try RawClient(port: router.port)
            try client.send("GET /bytes/100000?chunked HTTP/1.0\r\n\r\n")
            let raw = try client.readToClose()
            let text = String(decoding: raw.prefix(400), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.0 200"))
            #expect(!text.lowercased().contains("transfer-encoding"))
            let end = raw.indices.first { raw[$0...].starts(with: [13, 10, 13, 10]) }!
            let body = raw[(end + 4)...]
            #expect(body.count == 100_000)
            #expect(body.enumerated().allSatisfy { $0.element == UInt8($0.offset % 251) })
            let keepAlive = try RawClient(port: router.port)
            for _ in 0..<3 {
                let head = try keepAlive.get("/bytes/5000?chunked", method: "HEAD")
                #expect(head.status == 200)
                #expect(head.headers["transfer-encoding"] == "chunked")
            }
            #expect(try keepAlive.get("/").text == "ok")
        }
    }

    @Test("the header limit is the router's own: 60 KB heads pass when allowed, 431 above the limit")
    func largeHeads() async throws {
        // (The test upstream, NIO's HTTP server, takes heads up to 80 KB.)
        try await withRouter(configure: { $0.maxRequestHeaderBytes = 256 * 1024 }) { router, _, _ in
            let client = try RawClient(port: router.port)
            var headers: [String: String] = [:]
            for index in 0..<15 { headers["X-Field-\(index)"] = String(repeating: "v", count: 4000) }
            let response = try client.get("/headers", headers: headers)
            #expect(response.status == 200)
            #expect(response.text.contains("X-Field-14: " + String(repeating: "v", count: 4000)))
            let tooBig = try RawClient(port: router.port)
            #expect(try tooBig.get("/", headers: ["X-Big": String(repeating: "a", count: 300_000)]).status == 431)
        }
    }

    @Test("an idle client connection is closed after the idle timeout; a busy one is not")
    func clientIdle() async throws {
        try await withRouter(configure: { $0.idleTimeout = .milliseconds(300) }) { router, _, _ in
            let idle = try RawClient(port: router.port, timeoutSeconds: 5)
            #expect(try idle.get("/").status == 200)
            let started = ContinuousClock.now
            #expect(idle.isClosedByPeer())
            #expect(ContinuousClock.now - started < .seconds(2))
            let busy = try RawClient(port: router.port)
            for _ in 0..<8 {
                #expect(try busy.get("/").status == 200)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test("an interim answer (103 Early Hints) is passed over: the client gets the final one, and nothing goes astray")
    func interimAnswer() async throws {
        // The test server writes the status line's reason as given: a 103 head ahead of the final one.
        let upstream = try await LoopbackHTTPServer { _ in
            LoopbackHTTPServer.Response(
                status: 103, reason: "Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK",
                headers: [("X-Final", "yes")], body: "final")
        }
        var config = RouterConfiguration(
            baseline: RouterUpstream(host: "127.0.0.1", port: upstream.port),
            canary: RouterUpstream(host: "127.0.0.1", port: upstream.port))
        config.threads = 1
        let router = try await CanaryRouter.start(config)
        let client = try RawClient(port: router.port)
        for _ in 0..<3 {
            let response = try client.get("/")
            #expect(response.status == 200)
            #expect(response.headers["x-final"] == "yes")
            #expect(response.text == "final")
        }
        #expect(router.metrics.snapshot(.baseline).statusClasses[1] == 3)
        await router.stop()
        await upstream.shutdown()
    }

    @Test("a request body that stops coming is answered 408 after the idle timeout; the router keeps serving")
    func stalledBody() async throws {
        try await withRouter(configure: { $0.idleTimeout = .milliseconds(300) }) { router, _, _ in
            let client = try RawClient(port: router.port, timeoutSeconds: 5)
            let started = ContinuousClock.now
            try client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789")
            #expect(try client.readResponse(head: true).status == 408)
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(try RawClient(port: router.port).get("/").status == 200)
        }
    }

    @Test("DemoShop behind the router")
    func demoShop() async throws {
        var shopConfig = DemoShopConfiguration()
        shopConfig.port = 0
        let shop = try await DemoShop.start(shopConfig)
        var config = RouterConfiguration(
            baseline: RouterUpstream(url: shop.baseURL)!, canary: RouterUpstream(url: shop.baseURL)!)
        config.weight = 50
        config.threads = 1
        let router = try await CanaryRouter.start(config)
        let client = try RawClient(port: router.port)
        for _ in 0..<20 {
            let response = try client.get("/api/products")
            #expect(response.status == 200)
            #expect(response.headers["x-greenlight-arm"] != nil)
        }
        await router.stop()
        await shop.stop()
    }
}
