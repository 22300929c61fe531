/// A target on 127.0.0.1 that stalls one stage of a client's exchange and keeps it stalled, for
/// tests of deadlines: every stage must end by the client's timeout, whichever stalls.
public final class StalledTarget: Sendable {
    /// The stage that never completes.
    public enum Stage: String, CaseIterable, Sendable {
        /// The TCP connect: the SYN is never answered (``HangingPort``).
        case connect
        /// The TLS handshake: the connection is accepted and nothing is ever written to it (for a
        /// plain protocol, the server's first answer never comes).
        case silent = "TLS handshake, silent server"
        /// The TLS handshake: the ClientHello is answered with garbage, then nothing more.
        case garbage = "TLS handshake, garbage answer"
        /// The response: the request is read and never answered.
        case response
        /// The body: a head announcing 100 bytes and 10 of them, then nothing more.
        case body

        /// Whether the stage is part of a TLS handshake, so that the client must speak https.
        public var isTLS: Bool { self == .silent || self == .garbage }
    }

    /// The stage that stalls.
    public let stage: Stage
    /// The port to connect to.
    public let port: Int
    private let hanging: HangingPort?
    private let tls: TLSStallListener?
    private let http: LoopbackHTTPServer?

    /// Starts a target stalling `stage`.
    public init(_ stage: Stage) async throws {
        self.stage = stage
        var hanging: HangingPort?
        var tls: TLSStallListener?
        var http: LoopbackHTTPServer?
        switch stage {
        case .connect:
            hanging = HangingPort()
        case .silent, .garbage:
            tls = try await TLSStallListener(stage == .silent ? .silent : .garbage)
        case .response, .body:
            http = try await LoopbackHTTPServer(stage == .response ? .silent : .stalledBody)
        }
        self.hanging = hanging
        self.tls = tls
        self.http = http
        port = hanging?.port ?? tls?.port ?? http!.port
    }

    /// `scheme://127.0.0.1:port/` with the scheme the stage needs: https for the TLS stages.
    public var url: String { "\(stage.isTLS ? "https" : "http")://127.0.0.1:\(port)/" }

    /// `127.0.0.1:port`.
    public var address: String { "127.0.0.1:\(port)" }

    /// Whether a client got as far as the stalled stage and no further: for `connect`, that a new
    /// connect still hangs; for the others, that the target received the first bytes (a ClientHello)
    /// or the request.
    public func reachedStage() async -> Bool {
        switch stage {
        case .connect: return await Loopback.connectStalls(port, for: 0.2)
        case .silent, .garbage: return tls!.counts.current.spoke > 0
        case .response, .body: return http!.requestCount > 0
        }
    }

    /// Stops the target and closes its connections.
    public func shutdown() async {
        hanging?.close()
        await tls?.shutdown()
        await http?.shutdown()
    }
}
