import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore

/// Where the load goes: one origin, reached over keep-alive HTTP/1.1 connections.
public struct LoadTarget: Sendable, Hashable {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path and query of the base URL, without a trailing slash ("" for the root).
    public var basePath: String
    /// How its certificate is trusted (the environment's `ca` or `insecure`).
    public var trust = TLSTrust.system

    public struct InvalidURL: Error, CustomStringConvertible {
        public var description: String
    }

    public init(url: String) throws(InvalidURL) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty
        else { throw InvalidURL(description: "'\(url)' is not an absolute http:// or https:// URL") }
        guard scheme == "http" || scheme == "https" else {
            throw InvalidURL(description: "'\(url)' uses \(scheme)://; greenlight load speaks http:// and https://")
        }
        if let problem = URLPort.problem(in: url) { throw InvalidURL(description: "'\(url)' \(problem)") }
        self.scheme = scheme
        // An IPv6 literal comes bracketed from the URL; connecting wants the bare address.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = c.port ?? (scheme == "https" ? 443 : 80)
        var path = c.percentEncodedPath
        if let q = c.percentEncodedQuery { path += "?" + q }
        basePath = path == "/" ? "" : path
    }

    public var isTLS: Bool { scheme == "https" }
    /// The Host header: the port only when it is not the scheme's default.
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (isTLS && port == 443) || (!isTLS && port == 80) ? h : "\(h):\(port)"
    }
    public var origin: String { "\(scheme)://\(authority)" }
    public var baseURL: String { origin + basePath }
}

/// What one iteration of the mix does.
package enum LoadAction: Sendable {
    /// One request, the same every time: encoded once, written as is.
    case fixed(name: String, request: ByteBuffer, isHead: Bool)
    /// A smoke scenario (or a request with placeholders) run as a session of steps.
    case session(name: String, script: SessionScript)

    public var name: String {
        switch self {
        case .fixed(let name, _, _), .session(let name, _): return name
        }
    }
}

/// Everything the engine needs, resolved from a spec or from the command line.
public struct LoadPlan: Sendable {
    public var target: LoadTarget
    public var model: LoadSpec.Model
    /// Arrival rate (open) or virtual users (closed) over time, for this slice.
    public var profile: Profile
    /// The peak asked for, for all slices together: rate (open) or virtual users (closed).
    public var requestedPeak: Double
    public var connections: Int
    public var threads: Int
    public var thinkTime: Double = 0
    /// A request without a complete response by then counts as a timeout.
    public var requestTimeout: Double = 10
    /// How long a scheduled arrival may wait for a free connection before it counts as dropped.
    public var maximumQueueDelay: Double = 1
    package var actions: [LoadAction]
    package var weights: [Int]
    public var variables: [String: String] = [:]
    package var data: DataFeeder?
    public var dataPerUser = false
    public var slice = LoadResult.Slice(index: 1, count: 1)
    /// Secrets that sessions revealed in failures the result keeps, for the redaction boundary.
    public var secrets = SecretSink()

    package init(
        target: LoadTarget, model: LoadSpec.Model, profile: Profile, requestedPeak: Double, connections: Int,
        threads: Int, actions: [LoadAction], weights: [Int]
    ) {
        self.target = target
        self.model = model
        self.profile = profile
        self.requestedPeak = requestedPeak
        self.connections = connections
        self.threads = threads
        self.actions = actions
        self.weights = weights
    }

    /// A smooth weighted round robin over the actions (nginx's): weights 3:1 give a a b a, not a a a b.
    /// Arrival k runs `order[k % order.count]`.
    package var order: [Int] {
        let divisor = weights.reduce(0) { gcd($0, $1) }
        var scaled = weights.map { $0 / max(divisor, 1) }
        let total = scaled.reduce(0, +)
        if total > 10_000 {
            scaled = scaled.map { max(1, Int((Double($0) * 10_000 / Double(total)).rounded())) }
        }
        let sum = scaled.reduce(0, +)
        var current = [Int](repeating: 0, count: scaled.count)
        var order: [Int] = []
        order.reserveCapacity(sum)
        for _ in 0..<sum {
            for i in current.indices { current[i] += scaled[i] }
            let best = current.indices.max { current[$0] < current[$1] || (current[$0] == current[$1] && $0 > $1) }!
            current[best] -= sum
            order.append(best)
        }
        return order
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

/// Turns a request into the bytes on the wire.
package enum RequestEncoder {
    /// `GET /path HTTP/1.1` with Host, the given headers, and Content-Length when there is a body.
    package static func encode(
        method: String, target: String, authority: String, headers: [(name: String, value: String)], body: Data
    ) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 128 + body.count)
        buffer.writeString("\(method) \(target.isEmpty ? "/" : target) HTTP/1.1\r\n")
        var hasHost = false
        var hasLength = false
        for (name, value) in headers {
            if name.caseInsensitiveCompare("Host") == .orderedSame { hasHost = true }
            if name.caseInsensitiveCompare("Content-Length") == .orderedSame { hasLength = true }
        }
        if !hasHost { buffer.writeString("Host: \(authority)\r\n") }
        for (name, value) in headers { buffer.writeString("\(name): \(value)\r\n") }
        if !hasLength, !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            buffer.writeString("Content-Length: \(body.count)\r\n")
        }
        buffer.writeString("\r\n")
        buffer.writeBytes(body)
        return buffer
    }

    /// The request line's target (path and query) of an absolute URL, if it points at `target`'s origin.
    package static func requestTarget(of url: String, on target: LoadTarget) -> String? {
        guard let c = URLComponents(string: url), c.host?.lowercased() == target.host.lowercased(),
            (c.port ?? (c.scheme == "https" ? 443 : 80)) == target.port
        else { return nil }
        var path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        if let q = c.percentEncodedQuery { path += "?" + q }
        return path
    }
}
