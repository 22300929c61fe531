import Dispatch
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What every connection shares: the configuration, the weight, the arms' health, metrics. `group` is the
/// NIO side of the router: the admin listener, health probes and TLS to HTTPS upstreams.
final class RouterCore: Sendable {
    let configuration: RouterConfiguration
    let metrics: RouterMetrics
    /// The canary's share in hundredths of a percent (0…10000).
    let basisPoints: Atomic<Int>

    /// The canary's share, percent.
    var weight: Double { Double(basisPoints.load(ordering: .relaxed)) / 100 }
    /// The TLS context of HTTPS upstreams (nil when both are plain HTTP).
    let tlsContext: NIOSSLContext?
    private let health = Mutex<[RouterArm: (failures: Int, healthy: Bool, probing: Bool)]>(
        [.baseline: (0, true, false), .canary: (0, true, false)])
    let group: any EventLoopGroup

    #if os(Linux)
    /// The plain-HTTP upstreams' addresses (an HTTPS upstream is looked up by its ``TLSBridge``).
    private let baselineAddresses: UpstreamAddresses?
    private let canaryAddresses: UpstreamAddresses?

    func addresses(_ arm: RouterArm) -> UpstreamAddresses {
        (arm == .baseline ? baselineAddresses : canaryAddresses)!
    }
    #endif

    init(configuration: RouterConfiguration, group: any EventLoopGroup, tlsContext: NIOSSLContext? = nil) throws {
        self.configuration = configuration
        self.tlsContext = tlsContext
        #if os(Linux)
        func resolve(_ upstream: RouterUpstream) throws -> UpstreamAddresses? {
            upstream.tls ? nil : try UpstreamAddresses(host: upstream.host, port: upstream.port)
        }
        baselineAddresses = try resolve(configuration.baseline)
        canaryAddresses = try resolve(configuration.canary)
        #endif
        self.metrics = RouterMetrics(interval: configuration.metricsInterval)
        self.basisPoints = Atomic(Int((configuration.weight * 100).rounded()))
        self.group = group
    }

    /// Sets the weight and tells ``RouterConfiguration/onWeightChange``.
    func setWeight(_ new: Double, action: String, by: String) {
        let old = basisPoints.exchange(Int((new * 100).rounded()), ordering: .relaxed)
        configuration.onWeightChange?(Double(old) / 100, new, action, by)
    }

    /// The request's arm: canary when the sticky key's position (1…10000, ``StickyBucket/position``) is
    /// at most the weight in hundredths of a percent, unless that arm's upstream is down and the other is up.
    func chooseArm(position: Int) -> RouterArm {
        let chosen: RouterArm = position <= basisPoints.load(ordering: .relaxed) ? .canary : .baseline
        if !isHealthy(chosen), isHealthy(chosen.other) { return chosen.other }
        return chosen
    }

    func isHealthy(_ arm: RouterArm) -> Bool {
        arm == .baseline ? baselineHealthy.load(ordering: .relaxed) : canaryHealthy.load(ordering: .relaxed)
    }

    /// Read on every request, so kept apart from the failure counts.
    private let baselineHealthy = Atomic(true)
    private let canaryHealthy = Atomic(true)

    private func setHealthFlag(_ arm: RouterArm, _ healthy: Bool) {
        if arm == .baseline {
            baselineHealthy.store(healthy, ordering: .relaxed)
        } else {
            canaryHealthy.store(healthy, ordering: .relaxed)
        }
    }

    func connectSucceeded(_ arm: RouterArm) {
        let recovered = health.withLock { state -> Bool in
            let was = state[arm]!.healthy
            state[arm]!.failures = 0
            state[arm]!.healthy = true
            return !was
        }
        if recovered {
            setHealthFlag(arm, true)
            metrics.setHealthy(arm, true)
        }
    }

    func connectFailed(_ arm: RouterArm) {
        let startProbe = health.withLock { state -> Bool in
            state[arm]!.failures += 1
            guard state[arm]!.failures >= configuration.unhealthyAfter, state[arm]!.healthy else { return false }
            state[arm]!.healthy = false
            if state[arm]!.probing { return false }
            state[arm]!.probing = true
            return true
        }
        if startProbe {
            setHealthFlag(arm, false)
            metrics.setHealthy(arm, false)
            probe(arm)
        }
    }

    /// Tries a TCP connect every `probeInterval` until one succeeds; then the arm is healthy again.
    private func probe(_ arm: RouterArm) {
        let upstream = configuration.upstream(arm)
        let loop = group.next()
        loop.scheduleTask(in: configuration.probeInterval) {
            ClientBootstrap(group: loop).connectTimeout(self.configuration.connectTimeout)
                .connect(host: upstream.host, port: upstream.port)
                .whenComplete { result in
                    switch result {
                    case .success(let channel):
                        channel.close(promise: nil)
                        self.health.withLock {
                            $0[arm]!.failures = 0
                            $0[arm]!.healthy = true
                            $0[arm]!.probing = false
                        }
                        self.setHealthFlag(arm, true)
                        self.metrics.setHealthy(arm, true)
                    case .failure:
                        self.probe(arm)
                    }
                }
        }
    }
}

/// greenlight's canary router: an HTTP/1.1 reverse proxy that sends `weight` percent of users (sticky by
/// header, cookie or client IP, bucketed with ``StickyBucket``) to the canary and the rest to the
/// baseline, with an admin listener for metrics and the weight.
public final class CanaryRouter: Sendable {
    public let port: Int
    public let adminPort: Int?
    let core: RouterCore
    private let channels: [any Channel]
    private let group: MultiThreadedEventLoopGroup
    #if os(Linux)
    private let loops: [RouterLoop]
    private let listenFD: Int32
    #endif

    public var metrics: RouterMetrics { core.metrics }
    public var configuration: RouterConfiguration { core.configuration }
    public var weight: Double { core.weight }

    /// Sets the canary's share; 0 drains: new requests all go to the baseline, in-flight ones finish.
    public func setWeight(_ weight: Double, by: String = "greenlight") throws {
        guard (0...100).contains(weight), weight.isFinite else {
            throw RouterError("weight must be 0 to 100, got \(weight)")
        }
        core.setWeight(weight, action: weight == 0 ? "drain" : "weight", by: by)
    }

    public func isHealthy(_ arm: RouterArm) -> Bool { core.isHealthy(arm) }

    #if os(Linux)
    private init(
        port: Int, adminPort: Int?, core: RouterCore, channels: [any Channel], group: MultiThreadedEventLoopGroup,
        loops: [RouterLoop], listenFD: Int32
    ) {
        self.port = port
        self.adminPort = adminPort
        self.core = core
        self.channels = channels
        self.group = group
        self.loops = loops
        self.listenFD = listenFD
    }
    #endif

    public static func start(_ configuration: RouterConfiguration) async throws -> CanaryRouter {
        guard (0...100).contains(configuration.weight) else {
            throw RouterError("weight must be 0 to 100, got \(configuration.weight)")
        }
        if configuration.adminPort != nil, !isLoopback(configuration.adminHost), configuration.adminToken == nil {
            throw RouterError("an admin listener off loopback needs a bearer token")
        }
        let threads = configuration.threads > 0 ? configuration.threads : System.coreCount
        var tlsContext: NIOSSLContext?
        if configuration.baseline.tls || configuration.canary.tls {
            do {
                tlsContext = try NIOSSLContext(configuration: configuration.upstreamTrust.clientConfiguration())
            } catch {
                throw RouterError("cannot set up TLS to the upstreams: \(error)")
            }
        }
        #if os(Linux)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let core: RouterCore
        do {
            core = try RouterCore(configuration: configuration, group: group, tlsContext: tlsContext)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        // Host names are looked up again every 30 s, here and not on the loops (a lookup blocks).
        group.next().scheduleRepeatedTask(initialDelay: .seconds(30), delay: .seconds(30)) { _ in
            for arm in RouterArm.allCases where !configuration.upstream(arm).tls { core.addresses(arm).refresh() }
        }
        var listenFD: Int32 = -1
        var loops: [RouterLoop] = []
        do {
            let (fd, port) = try listen(host: configuration.listenHost, port: configuration.listenPort)
            listenFD = fd
            for index in 0..<threads { loops.append(try RouterLoop(core: core, index: index, listenFD: fd)) }
            var channels: [any Channel] = []
            var adminPort: Int?
            if let port = configuration.adminPort {
                let admin = try await RouterAdmin.bind(core: core, host: configuration.adminHost, port: port)
                channels.append(admin)
                adminPort = admin.localAddress?.port
            }
            for loop in loops { loop.start() }
            return CanaryRouter(
                port: port, adminPort: adminPort, core: core, channels: channels, group: group, loops: loops,
                listenFD: fd)
        } catch {
            if listenFD >= 0 { Glibc.close(listenFD) }
            try? await group.shutdownGracefully()
            throw error
        }
        #else
        throw RouterError("the router runs on Linux (it uses epoll)")
        #endif
    }

    #if os(Linux)
    /// The proxy's listening socket (non-blocking, shared by the loops) and its port.
    private static func listen(host: String, port: Int) throws -> (Int32, Int) {
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        } catch {
            throw RouterError("cannot listen on \(host):\(port): cannot resolve \(host)")
        }
        let fd = socket(
            address.protocol.rawValue, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RouterError("cannot listen: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { pointer, length in bind(fd, pointer, socklen_t(length)) }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw RouterError("cannot listen on \(host):\(port): \(reason)")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let family = storage.ss_family
        let bound16: UInt16 = withUnsafePointer(to: &storage) { raw in
            family == sa_family_t(AF_INET6)
                ? raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
                : raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        return (fd, Int(UInt16(bigEndian: bound16)))
    }
    #endif

    private let stopped = Atomic(false)

    /// Stops listening, closes every connection, and ends the loops; a second call does nothing.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for channel in channels { try? await channel.close() }
        #if os(Linux)
        for loop in loops { loop.stop() }
        let loops = self.loops
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                for loop in loops { loop.waitUntilFinished() }
                done.resume()
            }
        }
        Glibc.close(listenFD)
        #endif
        try? await group.shutdownGracefully()
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }
}
