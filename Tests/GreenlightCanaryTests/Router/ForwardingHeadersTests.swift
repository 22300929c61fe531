import NIOHTTP1
import Testing

@testable import GreenlightCanary

@Suite("The router's forwarding headers")
struct ForwardingHeadersTests {
    @Test("hop-by-hop fields and the ones Connection names are removed; Transfer-Encoding stays")
    func hopByHop() {
        var headers = HTTPHeaders([
            ("Connection", "close, X-Drop"), ("X-Drop", "1"), ("Keep-Alive", "timeout=5"), ("TE", "trailers"),
            ("Trailer", "X-T"), ("Upgrade", "h2c"), ("Proxy-Authorization", "x"), ("Proxy-Connection", "keep-alive"),
            ("Transfer-Encoding", "chunked"), ("X-Keep", "1"),
        ])
        ForwardingHeaders.stripHopByHop(&headers)
        #expect(headers.map(\.name) == ["Transfer-Encoding", "X-Keep"])
    }

    @Test("the upstream's request: X-Forwarded-For appended, Forwarded for= (IPv6 quoted), Via")
    func upstreamRequest() {
        let head = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: "/a?b", headers: ["Host": "shop", "X-Forwarded-For": "10.0.0.1"])
        let upstream = RouterUpstream(host: "127.0.0.1", port: 9)
        let v4 = ForwardingHeaders.upstreamRequest(head, clientIP: "192.0.2.7", upstream: upstream)
        #expect(v4.headers["X-Forwarded-For"] == ["10.0.0.1, 192.0.2.7"])
        #expect(v4.headers["Forwarded"] == ["for=192.0.2.7"])
        #expect(v4.headers["Via"] == ["1.1 greenlight"])
        #expect(v4.headers["Host"] == ["shop"])
        let v6 = ForwardingHeaders.upstreamRequest(head, clientIP: "2001:db8::1", upstream: upstream)
        #expect(v6.headers["Forwarded"] == ["for=\"[2001:db8::1]\""])
    }

    @Test("cookies and upstream URLs parse")
    func parsing() {
        let headers = HTTPHeaders([("Cookie", "a=1; uid=abc; b=2")])
        #expect(ForwardingHeaders.cookie("uid", in: headers) == "abc")
        #expect(ForwardingHeaders.cookie("none", in: headers) == nil)
        #expect(RouterUpstream(url: "http://127.0.0.1:8080") == RouterUpstream(host: "127.0.0.1", port: 8080))
        #expect(RouterUpstream(url: "https://x") == nil)
    }
}
