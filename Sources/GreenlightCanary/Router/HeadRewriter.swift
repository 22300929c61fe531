import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a message's body is delimited (RFC 9112 §6).
enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
    /// A response without a length: its body ends when the upstream closes.
    case untilClose
}

/// Why a request head is refused; the router answers with `status` and closes.
struct HeadRefusal: Error, Equatable, Sendable {
    var status: Int
    var reason: String
    static func bad(_ reason: String) -> HeadRefusal { HeadRefusal(status: 400, reason: reason) }
}

/// What the proxy needs to know of a request once its head is rewritten.
struct RequestHeadInfo: Equatable, Sendable {
    var isHEAD = false
    /// GET, HEAD, OPTIONS, PUT, DELETE, TRACE: may be sent again on another connection.
    var idempotent = false
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: UInt8 = 1
    var keepAlive = true
    var framing = BodyFraming.none
    /// `Connection: upgrade` with an `Upgrade` field: tunnel after a 101.
    var upgrade = false
    var expectContinue = false
    /// The value of the sticky header or cookie, when the request has one.
    var stickyKey: String?
}

/// What the proxy needs to know of a response once its head is rewritten.
struct ResponseHeadInfo: Equatable, Sendable {
    var status = 0
    /// Whether the upstream connection may carry another request.
    var upstreamKeepAlive = true
    /// Whether the client connection stays open after this response.
    var clientKeepAlive = true
    var framing = BodyFraming.none
    /// A chunked body re-framed for an HTTP/1.0 client: chunks are unwrapped, the close ends it.
    var dechunk = false
}

/// The router's heads, read and rewritten as bytes (RFC 9110 §7.6, RFC 9112): no `String` per field,
/// no header dictionary. A request head becomes the upstream's head (hop-by-hop fields out, `Via`,
/// `X-Forwarded-For` and `Forwarded` in); a response head becomes the client's (hop-by-hop fields out,
/// `Via`, `X-Greenlight-Arm`, the client's `Connection`). One instance per connection: its scratch
/// arrays are reused, so rewriting allocates nothing once they have grown.
struct HeadRewriter {
    /// One field line of the head being read: offsets into it.
    private struct Field {
        var nameStart: Int
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
        var drop: Bool
    }

    private var fields: [Field] = []
    /// Field names listed in `Connection` (other than close, keep-alive, upgrade), lower-cased.
    private var connectionNames: [[UInt8]] = []

    /// The fields every proxy removes (RFC 9110 §7.6.1), besides `Proxy-*` and the ones `Connection` names.
    static let hopByHop: [StaticString] = ["connection", "keep-alive", "te", "trailer", "upgrade", "proxy-connection"]

    init() { fields.reserveCapacity(32) }

    // MARK: requests

    /// Reads a request head (request line through the blank line) and appends the upstream's head to `out`.
    /// `xff` is the client's address as `X-Forwarded-For` gets it, `forwarded` its `Forwarded` element.
    mutating func rewriteRequest(
        _ head: UnsafeRawBufferPointer, xff: String, forwarded: String, defaultHost: String,
        stickyHeader: [UInt8]?, stickyCookie: [UInt8]?, into out: inout ByteBuffer
    ) throws(HeadRefusal) -> RequestHeadInfo {
        var info = RequestHeadInfo()
        // Request line: method SP request-target SP HTTP-version (RFC 9112 §3). Blank lines before it are ignored.
        var p = 0
        while p < head.count, head[p] == 0x0D || head[p] == 0x0A { p += 1 }
        let methodStart = p
        while p < head.count, Self.isTokenByte(head[p]) { p += 1 }
        let methodEnd = p
        guard methodEnd > methodStart, p < head.count, head[p] == 0x20 else { throw .bad("malformed request line") }
        p += 1
        let targetStart = p
        while p < head.count, head[p] > 0x20, head[p] < 0x7F { p += 1 }
        let targetEnd = p
        guard targetEnd > targetStart, p < head.count, head[p] == 0x20 else { throw .bad("malformed request target") }
        p += 1
        guard p + 8 <= head.count, head[p] == 0x48, head[p + 1] == 0x54, head[p + 2] == 0x54, head[p + 3] == 0x50,
            head[p + 4] == 0x2F, head[p + 5] == 0x31, head[p + 6] == 0x2E, head[p + 7] == 0x30 || head[p + 7] == 0x31
        else { throw .bad("unsupported HTTP version") }
        info.minorVersion = head[p + 7] - 0x30
        p += 8
        if p < head.count, head[p] == 0x0D { p += 1 }
        guard p < head.count, head[p] == 0x0A else { throw .bad("malformed request line") }
        p += 1
        let method = UnsafeRawBufferPointer(rebasing: head[methodStart..<methodEnd])
        if Self.isMethod(method, "CONNECT") { throw HeadRefusal(status: 405, reason: "CONNECT is not proxied") }
        info.isHEAD = Self.isMethod(method, "HEAD")
        info.idempotent =
            info.isHEAD || Self.isMethod(method, "GET") || Self.isMethod(method, "OPTIONS")
            || Self.isMethod(method, "PUT")
            || Self.isMethod(method, "DELETE") || Self.isMethod(method, "TRACE")

        try readFields(head, from: p)
        var contentLength: Int?
        var transferEncoding = false
        var chunked = false
        var hosts = 0
        var connectionClose = false
        var connectionKeepAlive = false
        var connectionUpgrade = false
        var upgradeField = false
        var xffIndex: Int?
        for index in fields.indices {
            let field = fields[index]
            let name = UnsafeRawBufferPointer(rebasing: head[field.nameStart..<field.nameEnd])
            let value = UnsafeRawBufferPointer(rebasing: head[field.valueStart..<field.valueEnd])
            if let stickyHeader, info.stickyKey == nil, Self.equalsIgnoringCase(name, stickyHeader) {
                info.stickyKey = String(decoding: value, as: UTF8.self)
            }
            switch Self.lower(name.first ?? 0) {
            case 0x63:  // c
                if Self.equals(name, "content-length") {
                    contentLength = try Self.contentLength(value, previous: contentLength)
                } else if Self.equals(name, "connection") {
                    fields[index].drop = true
                    connectionTokens(
                        value, close: &connectionClose, keepAlive: &connectionKeepAlive,
                        upgrade: &connectionUpgrade)
                } else if Self.equals(name, "cookie"), let stickyCookie, info.stickyKey == nil {
                    info.stickyKey = Self.cookie(stickyCookie, in: value)
                }
            case 0x68:  // h
                if Self.equals(name, "host") { hosts += 1 }
            case 0x74:  // t
                if Self.equals(name, "transfer-encoding") {
                    transferEncoding = true
                    chunked = Self.lastCodingIsChunked(value)
                } else if Self.equals(name, "te") || Self.equals(name, "trailer") {
                    fields[index].drop = true
                }
            case 0x6B:  // k
                if Self.equals(name, "keep-alive") { fields[index].drop = true }
            case 0x75:  // u
                if Self.equals(name, "upgrade") {
                    fields[index].drop = true
                    upgradeField = true
                }
            case 0x65:  // e
                if Self.equals(name, "expect"), Self.equals(value, "100-continue") {
                    fields[index].drop = true
                    info.expectContinue = true
                }
            case 0x70:  // p
                if name.count > 6, Self.hasPrefix(name, "proxy-") { fields[index].drop = true }
            case 0x78:  // x
                if Self.equals(name, "x-forwarded-for") {
                    fields[index].drop = true
                    xffIndex = xffIndex ?? index
                }
            default:
                break
            }
        }
        if !connectionNames.isEmpty { dropConnectionNamed(head) }
        // Message framing (RFC 9112 §6.3), refusing what request smuggling is made of.
        if transferEncoding {
            guard info.minorVersion == 1 else { throw .bad("Transfer-Encoding in an HTTP/1.0 request") }
            guard contentLength == nil else { throw .bad("both Content-Length and Transfer-Encoding") }
            guard chunked else { throw .bad("a transfer coding other than chunked last") }
            info.framing = .chunked
        } else if let contentLength {
            info.framing = contentLength == 0 ? .none : .length(contentLength)
        }
        if hosts > 1 { throw .bad("more than one Host field") }
        if info.minorVersion == 1, hosts == 0 { throw .bad("no Host field") }
        info.keepAlive = info.minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose
        info.upgrade = connectionUpgrade && upgradeField

        // The upstream's head.
        out.writeBytes(UnsafeRawBufferPointer(rebasing: head[methodStart..<targetEnd]))
        out.writeStaticString(" HTTP/1.1\r\n")
        for field in fields where !field.drop { writeField(head, field, into: &out) }
        out.writeStaticString("X-Forwarded-For: ")
        if xffIndex != nil {
            for field in fields where field.nameEnd - field.nameStart == 15 {
                let name = UnsafeRawBufferPointer(rebasing: head[field.nameStart..<field.nameEnd])
                guard Self.equals(name, "x-forwarded-for") else { continue }
                out.writeBytes(UnsafeRawBufferPointer(rebasing: head[field.valueStart..<field.valueEnd]))
                out.writeStaticString(", ")
            }
        }
        out.writeString(xff)
        out.writeStaticString("\r\nForwarded: ")
        out.writeString(forwarded)
        out.writeStaticString(info.minorVersion == 1 ? "\r\nVia: 1.1 greenlight\r\n" : "\r\nVia: 1.0 greenlight\r\n")
        if hosts == 0 {
            out.writeStaticString("Host: ")
            out.writeString(defaultHost)
            out.writeStaticString("\r\n")
        }
        if info.upgrade {
            // Upgrade is hop-by-hop, but a tunnel passes it on (RFC 9110 §7.8).
            out.writeStaticString("Connection: Upgrade\r\n")
            for field in fields {
                let name = UnsafeRawBufferPointer(rebasing: head[field.nameStart..<field.nameEnd])
                if Self.equals(name, "upgrade") { writeField(head, field, into: &out) }
            }
        }
        out.writeStaticString("\r\n")
        return info
    }

    // MARK: responses

    /// Reads a response head (status line through the blank line) and appends the client's head to `out`.
    /// `keepClient`: whether the client connection may stay open as far as the request goes.
    mutating func rewriteResponse(
        _ head: UnsafeRawBufferPointer, request: RequestHeadInfo, keepClient: Bool, arm: RouterArm,
        into out: inout ByteBuffer
    ) throws(HeadRefusal) -> ResponseHeadInfo {
        var info = ResponseHeadInfo()
        var p = 0
        while p < head.count, head[p] == 0x0D || head[p] == 0x0A { p += 1 }
        let lineStart = p
        guard p + 12 <= head.count, head[p] == 0x48, head[p + 1] == 0x54, head[p + 2] == 0x54, head[p + 3] == 0x50,
            head[p + 4] == 0x2F, head[p + 5] == 0x31, head[p + 6] == 0x2E, head[p + 7] == 0x30 || head[p + 7] == 0x31,
            head[p + 8] == 0x20, Self.isDigit(head[p + 9]), Self.isDigit(head[p + 10]), Self.isDigit(head[p + 11])
        else { throw .bad("malformed status line from the upstream") }
        let upstreamMinor = head[p + 7] - 0x30
        info.status = Int(head[p + 9] - 0x30) * 100 + Int(head[p + 10] - 0x30) * 10 + Int(head[p + 11] - 0x30)
        guard info.status >= 100 else { throw .bad("malformed status line from the upstream") }
        p += 12
        guard p < head.count, head[p] == 0x20 || head[p] == 0x0D || head[p] == 0x0A else {
            throw .bad("malformed status line from the upstream")
        }
        let reasonStart = p
        while p < head.count, head[p] != 0x0A { p += 1 }
        guard p < head.count else { throw .bad("malformed status line from the upstream") }
        var reasonEnd = p
        if reasonEnd > reasonStart, head[reasonEnd - 1] == 0x0D { reasonEnd -= 1 }
        for k in reasonStart..<reasonEnd {
            let b = head[k]
            guard b >= 0x20 && b != 0x7F || b == 0x09 else { throw .bad("a control character in the status line") }
        }
        p += 1
        _ = lineStart
        try readFields(head, from: p)

        let switching = info.status == 101 && request.upgrade
        var contentLength: Int?
        var chunked = false
        var transferEncoding = -1
        var connectionClose = false
        var connectionKeepAlive = false
        var connectionUpgrade = false
        for index in fields.indices {
            let field = fields[index]
            let name = UnsafeRawBufferPointer(rebasing: head[field.nameStart..<field.nameEnd])
            let value = UnsafeRawBufferPointer(rebasing: head[field.valueStart..<field.valueEnd])
            switch Self.lower(name.first ?? 0) {
            case 0x63:
                if Self.equals(name, "content-length") {
                    contentLength = try Self.contentLength(value, previous: contentLength)
                } else if Self.equals(name, "connection") {
                    fields[index].drop = !switching
                    connectionTokens(
                        value, close: &connectionClose, keepAlive: &connectionKeepAlive,
                        upgrade: &connectionUpgrade)
                }
            case 0x74:
                if Self.equals(name, "transfer-encoding") {
                    chunked = Self.lastCodingIsChunked(value)
                    transferEncoding = index
                } else if Self.equals(name, "trailer") || Self.equals(name, "te") {
                    fields[index].drop = true
                }
            case 0x6B:
                if Self.equals(name, "keep-alive") { fields[index].drop = true }
            case 0x75:
                if Self.equals(name, "upgrade") { fields[index].drop = !switching }
            case 0x70:
                if name.count > 6, Self.hasPrefix(name, "proxy-") { fields[index].drop = true }
            default:
                break
            }
        }
        if !switching, !connectionNames.isEmpty { dropConnectionNamed(head) }
        if transferEncoding >= 0, contentLength != nil {
            // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3): the length is not passed on.
            for index in fields.indices {
                let name = UnsafeRawBufferPointer(rebasing: head[fields[index].nameStart..<fields[index].nameEnd])
                if Self.equals(name, "content-length") { fields[index].drop = true }
            }
        }
        info.upstreamKeepAlive = upstreamMinor == 1 ? !connectionClose : connectionKeepAlive && !connectionClose
        let bodiless = info.status < 200 || info.status == 204 || info.status == 304 || request.isHEAD
        if bodiless {
            info.framing = .none
        } else if transferEncoding >= 0 {
            info.framing = chunked ? .chunked : .untilClose
            if !chunked { info.upstreamKeepAlive = false }
        } else if let contentLength {
            info.framing = contentLength == 0 ? .none : .length(contentLength)
        } else {
            info.framing = .untilClose
            info.upstreamKeepAlive = false
        }
        info.clientKeepAlive = keepClient && info.framing != .untilClose
        if info.framing == .chunked, request.minorVersion == 0 {
            // HTTP/1.0 knows no chunks: the body goes unwrapped and the close ends it.
            info.dechunk = true
            info.clientKeepAlive = false
            fields[transferEncoding].drop = true
        }
        if switching { info.clientKeepAlive = true }

        out.writeStaticString(request.minorVersion == 1 ? "HTTP/1.1 " : "HTTP/1.0 ")
        out.writeBytes(UnsafeRawBufferPointer(rebasing: head[(lineStart + 9)..<reasonEnd]))
        out.writeStaticString("\r\n")
        for field in fields where !field.drop { writeField(head, field, into: &out) }
        out.writeStaticString(upstreamMinor == 1 ? "Via: 1.1 greenlight\r\n" : "Via: 1.0 greenlight\r\n")
        out.writeStaticString(arm == .canary ? "X-Greenlight-Arm: canary\r\n" : "X-Greenlight-Arm: baseline\r\n")
        if !switching {
            if !info.clientKeepAlive {
                out.writeStaticString("Connection: close\r\n")
            } else if request.minorVersion == 0 {
                out.writeStaticString("Connection: keep-alive\r\n")
            }
        }
        out.writeStaticString("\r\n")
        return info
    }

    /// A response the router makes itself (400, 431, 502, 504…), with no body.
    static func localResponse(
        status: Int, minorVersion: UInt8, arm: RouterArm?, keepAlive: Bool, into out: inout ByteBuffer
    ) {
        out.writeStaticString(minorVersion == 1 ? "HTTP/1.1 " : "HTTP/1.0 ")
        out.writeString(String(status))
        out.writeStaticString(" ")
        out.writeString(reasonPhrase(status))
        out.writeStaticString("\r\nContent-Length: 0\r\nVia: 1.1 greenlight\r\n")
        if let arm { out.writeString("X-Greenlight-Arm: \(arm.rawValue)\r\n") }
        if !keepAlive {
            out.writeStaticString("Connection: close\r\n")
        } else if minorVersion == 0 {
            out.writeStaticString("Connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 400: "Bad Request"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 502: "Bad Gateway"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }

    // MARK: fields

    /// Splits the field lines from `start` to the blank line into `fields`, checking each (RFC 9110 §5).
    private mutating func readFields(_ head: UnsafeRawBufferPointer, from start: Int) throws(HeadRefusal) {
        fields.removeAll(keepingCapacity: true)
        if !connectionNames.isEmpty { connectionNames.removeAll(keepingCapacity: true) }
        var i = start
        let base = head.baseAddress!
        while i < head.count {
            let end =
                memchr(base + i, 0x0A, head.count - i).map { base.distance(to: UnsafeRawPointer($0)) } ?? head.count
            var lineEnd = end
            if lineEnd > i, head[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == i { return }  // the blank line
            if head[i] == 0x20 || head[i] == 0x09 { throw .bad("obsolete line folding") }
            var colon = i
            while colon < lineEnd, Self.isTokenByte(head[colon]) { colon += 1 }
            guard colon > i, colon < lineEnd, head[colon] == 0x3A else { throw .bad("malformed header field") }
            var valueStart = colon + 1
            while valueStart < lineEnd, head[valueStart] == 0x20 || head[valueStart] == 0x09 { valueStart += 1 }
            var valueEnd = lineEnd
            while valueEnd > valueStart, head[valueEnd - 1] == 0x20 || head[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            for k in valueStart..<valueEnd {
                let b = head[k]
                guard b >= 0x20 && b != 0x7F || b == 0x09 else { throw .bad("a control character in a header field") }
            }
            fields.append(Field(nameStart: i, nameEnd: colon, valueStart: valueStart, valueEnd: valueEnd, drop: false))
            i = end + 1
        }
        throw .bad("the head has no end")
    }

    private func writeField(_ head: UnsafeRawBufferPointer, _ field: Field, into out: inout ByteBuffer) {
        out.writeBytes(UnsafeRawBufferPointer(rebasing: head[field.nameStart..<field.nameEnd]))
        out.writeStaticString(": ")
        out.writeBytes(UnsafeRawBufferPointer(rebasing: head[field.valueStart..<field.valueEnd]))
        out.writeStaticString("\r\n")
    }

    /// Reads `Connection`'s tokens; names other than close, keep-alive and upgrade are fields to drop.
    private mutating func connectionTokens(
        _ value: UnsafeRawBufferPointer, close: inout Bool, keepAlive: inout Bool, upgrade: inout Bool
    ) {
        var i = 0
        while i < value.count {
            while i < value.count, value[i] == 0x20 || value[i] == 0x09 || value[i] == 0x2C { i += 1 }
            let start = i
            while i < value.count, value[i] != 0x2C { i += 1 }
            var end = i
            while end > start, value[end - 1] == 0x20 || value[end - 1] == 0x09 { end -= 1 }
            guard end > start else { continue }
            let token = UnsafeRawBufferPointer(rebasing: value[start..<end])
            if Self.equals(token, "close") {
                close = true
            } else if Self.equals(token, "keep-alive") {
                keepAlive = true
            } else if Self.equals(token, "upgrade") {
                upgrade = true
            } else {
                connectionNames.append(token.map(Self.lower))
            }
        }
    }

    private mutating func dropConnectionNamed(_ head: UnsafeRawBufferPointer) {
        for index in fields.indices where !fields[index].drop {
            let name = UnsafeRawBufferPointer(rebasing: head[fields[index].nameStart..<fields[index].nameEnd])
            // The fields that frame or route the message stay whatever Connection says: dropping them
            // would let the next hop read the body as another request (smuggling).
            if Self.equals(name, "content-length") || Self.equals(name, "transfer-encoding")
                || Self.equals(name, "host")
            {
                continue
            }
            for named in connectionNames where Self.equalsIgnoringCase(name, named) {
                fields[index].drop = true
                break
            }
        }
    }
}
