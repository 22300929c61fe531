import NIOCore
import Testing

@testable import GreenlightCanary

/// The router's heads as bytes: what the upstream and the client get, and what is refused.
@Suite("The router's head rewriting")
struct ForwardingHeadersTests {
    static func request(
        _ text: String, ip: String = "192.0.2.7", stickyHeader: String? = nil, stickyCookie: String? = nil
    ) throws -> (String, RequestHeadInfo) {
        var rewriter = HeadRewriter()
        var out = ByteBuffer()
        let bytes = Array(text.utf8)
        let info = try bytes.withUnsafeBytes { raw in
            try rewriter.rewriteRequest(
                raw, xff: ip, forwarded: ForwardingHeaders.forwardedNode(ip), defaultHost: "127.0.0.1:9",
                stickyHeader: stickyHeader.map { Array($0.utf8) }, stickyCookie: stickyCookie.map { Array($0.utf8) },
                into: &out)
        }
        return (String(buffer: out), info)
    }

    static func response(
        _ text: String, request: RequestHeadInfo = RequestHeadInfo(), keepClient: Bool = true, arm: RouterArm = .canary
    ) throws -> (String, ResponseHeadInfo) {
        var rewriter = HeadRewriter()
        var out = ByteBuffer()
        let bytes = Array(text.utf8)
        let info = try bytes.withUnsafeBytes { raw in
            try rewriter.rewriteResponse(raw, request: request, keepClient: keepClient, arm: arm, into: &out)
        }
        return (String(buffer: out), info)
    }

    static func refusal(_ text: String) -> HeadRefusal? {
        do {
            _ = try request(text)
            return nil
        } catch {
            return error as? HeadRefusal
        }
    }

    @Test("hop-by-hop fields and the ones Connection names go; X-Forwarded-For is appended; Forwarded and Via come")
    func upstreamRequest() throws {
        let (head, info) = try Self.request(
            "GET /a?b HTTP/1.1\r\nHost: shop\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nKeep-Alive: timeout=5\r\n"
                + "TE: trailers\r\nTrailer: X-T\r\nProxy-Authorization: Basic x\r\nProxy-Connection: keep-alive\r\n"
                + "X-Forwarded-For: 10.0.0.1\r\nX-Keep:  spaced value \t\r\n\r\n")
        #expect(
            head
                == "GET /a?b HTTP/1.1\r\nHost: shop\r\nX-Keep: spaced value\r\nX-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n"
                + "Forwarded: for=192.0.2.7\r\nVia: 1.1 greenlight\r\n\r\n")
        #expect(info.keepAlive)
        #expect(info.idempotent)
        #expect(info.framing == .none)
        #expect(ForwardingHeaders.forwardedNode("2001:db8::1") == "for=\"[2001:db8::1]\"")
    }

    @Test("HTTP/1.0: keep-alive only when asked, a Host added when missing, Via says 1.0")
    func http10() throws {
        let (head, info) = try Self.request("GET / HTTP/1.0\r\n\r\n")
        #expect(!info.keepAlive)
        #expect(info.minorVersion == 0)
        #expect(head.hasPrefix("GET / HTTP/1.1\r\n"))
        #expect(head.contains("Via: 1.0 greenlight\r\nHost: 127.0.0.1:9\r\n"))
        #expect(try Self.request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").1.keepAlive)
        #expect(try !Self.request("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").1.keepAlive)
    }

    @Test("framing: Content-Length, chunked; an upgrade keeps its Upgrade; Expect: 100-continue is answered here")
    func framing() throws {
        #expect(try Self.request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n").1.framing == .length(12))
        #expect(try Self.request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").1.framing == .none)
        let chunked = try Self.request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        #expect(chunked.1.framing == .chunked)
        #expect(chunked.0.contains("Transfer-Encoding: gzip, chunked\r\n"))
        #expect(try !Self.request("POST / HTTP/1.1\r\nHost: a\r\n\r\n").1.idempotent)
        // Methods are case-sensitive: `head` is an unknown method whose answer may have a body.
        let lower = try Self.request("head / HTTP/1.1\r\nHost: a\r\n\r\n").1
        #expect(!lower.isHEAD)
        #expect(!lower.idempotent)
        #expect(try Self.request("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").1.isHEAD)
        let upgrade = try Self.request(
            "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        #expect(upgrade.1.upgrade)
        #expect(upgrade.0.contains("Connection: Upgrade\r\nUpgrade: websocket\r\n"))
        let expect = try Self.request("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
        #expect(expect.1.expectContinue)
        #expect(!expect.0.lowercased().contains("expect"))
    }

    @Test("Connection never removes the fields that frame or route a message (no smuggling through it)")
    func connectionCannotDropFraming() throws {
        let (head, info) = try Self.request(
            "POST / HTTP/1.1\r\nHost: a\r\nConnection: content-length, host, transfer-encoding, x-drop\r\n"
                + "X-Drop: 1\r\nContent-Length: 34\r\n\r\n")
        #expect(info.framing == .length(34))
        #expect(head.contains("Content-Length: 34\r\n"))
        #expect(head.contains("Host: a\r\n"))
        #expect(!head.contains("X-Drop"))
        let response = try Self.response("HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 2\r\n\r\n")
        #expect(response.0.contains("Content-Length: 2\r\n"))
    }

    @Test("the sticky key comes from its header or its cookie")
    func stickyKey() throws {
        #expect(
            try Self.request("GET / HTTP/1.1\r\nHost: a\r\nx-user: u7\r\n\r\n", stickyHeader: "X-User").1.stickyKey
                == "u7")
        let cookie = try Self.request(
            "GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1; uid=abc; b=2\r\n\r\n", stickyCookie: "uid")
        #expect(cookie.1.stickyKey == "abc")
        #expect(
            try Self.request("GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\n\r\n", stickyCookie: "uid").1.stickyKey == nil
        )
    }

    @Test(
        "refused: what request smuggling and broken clients are made of",
        arguments: [
            ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\n folded: header\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nBad Header: x\r\nHost: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1B}b\r\n\r\n", 400),
            ("GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET / HTTP/9.9\r\nHost: a\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: a\r\n\r\n", 405),
            ("GET / HTTP/1.0\r\nHost: a\r\nHost: evil\r\n\r\n", 400),
        ])
    func refused(text: String, status: Int) {
        #expect(Self.refusal(text)?.status == status, "\(text.debugDescription)")
    }

    @Test("the client's response: hop-by-hop out, Via and the arm in, Connection as the client needs it")
    func clientResponse() throws {
        let (head, info) = try Self.response(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=4\r\n"
                + "Date: x\r\n\r\n")
        #expect(
            head
                == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nDate: x\r\nVia: 1.1 greenlight\r\nX-Greenlight-Arm: canary\r\n\r\n"
        )
        #expect(info.framing == .length(3))
        #expect(info.upstreamKeepAlive)
        #expect(info.clientKeepAlive)
        let closing = try Self.response(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", keepClient: false, arm: .baseline)
        #expect(closing.0.hasSuffix("X-Greenlight-Arm: baseline\r\nConnection: close\r\n\r\n"))
        let untilClose = try Self.response("HTTP/1.0 200 OK\r\n\r\n")
        #expect(untilClose.1.framing == .untilClose)
        #expect(!untilClose.1.upstreamKeepAlive)
        #expect(untilClose.0.contains("Via: 1.0 greenlight\r\n"))
        #expect(untilClose.0.contains("Connection: close\r\n"))
        var head10 = RequestHeadInfo()
        head10.minorVersion = 0
        let dechunked = try Self.response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", request: head10)
        #expect(dechunked.1.dechunk)
        #expect(!dechunked.1.clientKeepAlive)
        #expect(dechunked.0.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(!dechunked.0.contains("Transfer-Encoding"))
        var headRequest = RequestHeadInfo()
        headRequest.isHEAD = true
        #expect(
            try Self.response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", request: headRequest).1.framing
                == .none)
        #expect(try Self.response("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n").1.framing == .none)
        var upgrade = RequestHeadInfo()
        upgrade.upgrade = true
        let switching = try Self.response(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", request: upgrade)
        #expect(switching.0.contains("Connection: Upgrade\r\nUpgrade: websocket\r\n"))
        #expect(throws: HeadRefusal.self) { try Self.response("HTTP/2 200\r\n\r\n") }
        #expect(throws: HeadRefusal.self) { try Self.response("HTTP/1.1 2000 OK\r\n\r\n") }
        #expect(throws: HeadRefusal.self) { try Self.response("HTTP/1.1 200 OK\rSet-Cookie: x=y\r\n\r\n") }
        #expect(try Self.response("HTTP/1.1 204\r\n\r\n").1.status == 204)
        // Transfer-Encoding wins over Content-Length, which is not passed on.
        let both = try Self.response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(both.1.framing == .chunked)
        #expect(!both.0.lowercased().contains("content-length"))
        #expect(throws: HeadRefusal.self) { try Self.response("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n") }
    }

    @Test("a body's framing followed over any split: content-length, chunked with extensions and trailers")
    func bodyReader() throws {
        let chunked = Array("5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nNEXT".utf8)
        for split in 0...chunked.count {
            var reader = BodyReader(.chunked)
            var data: [UInt8] = []
            var taken = 0
            for part in [chunked[0..<split], chunked[split...]] {
                let bytes = Array(part)
                let n = try bytes.withUnsafeBytes { raw in
                    try reader.consume(raw) { data += bytes[$0] }
                }
                taken += n
                if reader.isComplete { break }
            }
            #expect(reader.isComplete)
            #expect(taken == chunked.count - 4, "split at \(split)")
            #expect(String(decoding: data, as: UTF8.self) == "hello0123456789")
        }
        var fixed = BodyReader(.length(3))
        #expect(try Array("abcdef".utf8).withUnsafeBytes { raw in try fixed.consume(raw) } == 3)
        #expect(fixed.isComplete)
        // Bare LFs and control characters in the framing: another server would read other chunks.
        for bad in [
            "zz\r\n", "3\r\nabcd\r\n", "\r\n", "10000000000000000\r\n", "2;\nxx\r\n0\r\n\r\n", "2\nxx\r\n0\r\n\r\n",
            "2\r\nxx\n0\r\n\r\n", "0\r\nX: 1\n\r\n", "0\r\n\n", "2;a\u{1}b\r\nxx\r\n0\r\n\r\n",
        ] {
            var reader = BodyReader(.chunked)
            #expect(throws: BodyReader.FramingError.self) {
                try Array(bad.utf8).withUnsafeBytes { raw in _ = try reader.consume(raw) }
            }
        }
    }
}
