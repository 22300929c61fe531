import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore

/// The side of the split a request goes to.
public enum RouterArm: String, Sendable, CaseIterable {
    case baseline, canary

    /// The other arm: where an idempotent request that could not connect is retried.
    public var other: RouterArm { self == .baseline ? .canary : .baseline }
}

/// An upstream the router forwards to: HTTP/1.1 over TCP, or over TLS (`https`), host and port.
public struct RouterUpstream: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// HTTPS: the connection is TLS, the certificate checked against ``RouterConfiguration/upstreamTrust``
    /// and the host name (unless the host is an IP address).
    public var tls: Bool

    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `http://host[:port]` or `https://host[:port]` (a path, if any, is ignored).
    public init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            URLPort.problem(in: url) == nil
        else { return nil }
        self.host = host
        self.tls = scheme == "https"
        self.port = components.port ?? (tls ? 443 : 80)
        guard (1...65535).contains(port) else { return nil }
    }

    public var description: String {
        "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// What keeps a user on one arm: a request header, a cookie, or (neither given, or absent) the client IP.
public enum RouterStickiness: Sendable, Equatable {
    case clientIP
    case header(String)
    case cookie(String)
}

/// Everything the router needs to start.
public struct RouterConfiguration: Sendable {
    public var listenHost = "127.0.0.1"
    public var listenPort = 0
    public var baseline: RouterUpstream
    public var canary: RouterUpstream
    /// The canary's share, 0 to 100 percent, to hundredths: a request goes to the canary when its
    /// position (``StickyBucket/position``, 1…10000) is at most this × 100.
    public var weight = 0.0
    /// The bucketing group: the rollout's feature flag, else the service name.
    public var group = "greenlight"
    public var stickiness = RouterStickiness.clientIP
    public var connectTimeout = TimeAmount.seconds(3)
    /// From the request's end being sent to the upstream's response head.
    public var responseHeaderTimeout = TimeAmount.seconds(30)
    /// Silence allowed on a connection mid-exchange (upstream) or between requests (client).
    public var idleTimeout = TimeAmount.seconds(60)
    /// Request line plus headers, in bytes; larger requests are answered 431.
    public var maxRequestHeaderBytes = 16 * 1024
    /// Connections per upstream per event loop; more requests wait for one.
    public var maxConnectionsPerLoop = 128
    /// Idle connections kept per upstream per event loop.
    public var maxIdlePerLoop = 64
    /// Failed connects in a row that mark an upstream unhealthy (it is probed back every `probeInterval`).
    public var unhealthyAfter = 3
    public var probeInterval = TimeAmount.seconds(1)
    /// The admin listener (`/metrics`, `/status`, `POST /weight`, `POST /drain`); nil port: none.
    public var adminHost = "127.0.0.1"
    public var adminPort: Int? = nil
    /// Required (as `Authorization: Bearer …`) when the admin listener is not on loopback.
    public var adminToken: String? = nil
    /// The length of the intervals the admin API's `/intervals` reports (per arm: counts, status
    /// classes, errors and the latency distribution), for the canary judge.
    public var metricsInterval = TimeAmount.seconds(10)
    /// How HTTPS upstreams are trusted: the system store (default), plus a CA file, or not checked.
    public var upstreamTrust = TLSTrust.system
    /// Event loop threads; 0: one per core.
    public var threads = 0
    /// Called after every change of the weight (the admin API, ``CanaryRouter/setWeight(_:by:)``) with the
    /// weight before, after, what changed it (`drain` or `weight`) and who (`admin-api 127.0.0.1`): the
    /// command records it in the ledger as a rollout event. Runs on an event loop: hand work off.
    public var onWeightChange: (@Sendable (_ from: Double, _ to: Double, _ action: String, _ by: String) -> Void)?

    public init(baseline: RouterUpstream, canary: RouterUpstream) {
        self.baseline = baseline
        self.canary = canary
    }

    func upstream(_ arm: RouterArm) -> RouterUpstream { arm == .baseline ? baseline : canary }
}

/// The weights the router takes: 0 to 100 percent, to hundredths of a percent.
public enum RouterWeight {
    /// `value` as the router keeps it (rounded to hundredths), or nil when it is not such a weight.
    public static func percent(_ value: Double) -> Double? {
        guard value.isFinite, (0...100).contains(value), abs(value * 100 - (value * 100).rounded()) < 1e-6 else {
            return nil
        }
        return (value * 100).rounded() / 100
    }
}

public struct RouterError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
