import NIOCore
import NIOHTTP1

/// RFC 9110's rules for a proxy's headers: hop-by-hop fields go (RFC 9110 §7.6.1), `Via` is added
/// (§7.6.3), and the client's address is passed on in `X-Forwarded-For` and RFC 7239's `Forwarded`.
/// `Transfer-Encoding` stays: NIO's codec frames each side's body by it.
enum ForwardingHeaders {
    static let hopByHop = ["connection", "keep-alive", "te", "trailer", "upgrade", "proxy-connection"]

    /// Removes the hop-by-hop fields: the fixed list, every `Proxy-*` field and the ones `Connection` names.
    static func stripHopByHop(_ headers: inout HTTPHeaders) {
        var named: [String] = []
        for value in headers[canonicalForm: "connection"] { named.append(value.lowercased()) }
        for name in named where name != "close" && name != "keep-alive" { headers.remove(name: name) }
        for name in hopByHop { headers.remove(name: name) }
        var proxyNames: [String] = []
        for (name, _) in headers where name.utf8.count > 6 && name.lowercased().hasPrefix("proxy-") {
            proxyNames.append(name)
        }
        for name in proxyNames { headers.remove(name: name) }
    }

    /// `for=` of RFC 7239: IPv6 addresses bracketed and quoted, "unknown" when there is none.
    static func forwardedNode(_ ip: String?) -> String {
        guard let ip else { return "for=unknown" }
        return ip.contains(":") ? "for=\"[\(ip)]\"" : "for=\(ip)"
    }

    /// The request head the upstream gets.
    static func upstreamRequest(_ head: HTTPRequestHead, clientIP: String?, upstream: RouterUpstream) -> HTTPRequestHead
    {
        var headers = head.headers
        stripHopByHop(&headers)
        let ip = clientIP ?? "unknown"
        if let existing = headers.first(name: "x-forwarded-for") {
            headers.replaceOrAdd(name: "X-Forwarded-For", value: existing + ", " + ip)
        } else {
            headers.add(name: "X-Forwarded-For", value: ip)
        }
        headers.add(name: "Forwarded", value: forwardedNode(clientIP))
        headers.add(name: "Via", value: "\(head.version.major).\(head.version.minor) greenlight")
        if !headers.contains(name: "host") { headers.add(name: "Host", value: "\(upstream.host):\(upstream.port)") }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
    }

    /// The response head the client gets.
    static func clientResponse(_ head: HTTPResponseHead, arm: RouterArm, keepAlive: Bool, clientVersion: HTTPVersion)
        -> HTTPResponseHead
    {
        var headers = head.headers
        stripHopByHop(&headers)
        headers.add(name: "Via", value: "\(head.version.major).\(head.version.minor) greenlight")
        headers.add(name: "X-Greenlight-Arm", value: arm.rawValue)
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if clientVersion == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: clientVersion, status: head.status, headers: headers)
    }

    /// Bytes of the request line and headers, as sent.
    static func headerBytes(_ head: HTTPRequestHead) -> Int {
        var total = head.method.rawValue.utf8.count + head.uri.utf8.count + 12
        for (name, value) in head.headers { total += name.utf8.count + value.utf8.count + 4 }
        return total + 2
    }

    /// The value of cookie `name` in the request's `Cookie` headers.
    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for line in headers[canonicalForm: "cookie"] {
            for pair in line.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " })
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == name[...] { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }
}
