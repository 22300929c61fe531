import GreenlightCore
import NIOCore
import NIOPosix

extension Probe {
    /// Sends RESP `PING` and expects `+PONG`.
    func checkRedis() async -> ProbeOutcome {
        let address = spec.address ?? ""
        guard let target = HostPort(address, defaultPort: 6379) else {
            return .error("address \(address) is not host:port")
        }
        do {
            let answer = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: String.self)
            defer { answer.fail(ChannelError.alreadyClosed) }  // a no-op once answered
            let channel = try await connect(to: target) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyLineReader(promise: answer))
                }
            }
            let reply = try await using(channel) {
                progress.phase = "waiting for the answer to PING from \(target)"
                try await channel.writeAndFlush(ByteBuffer(string: "*1\r\n$4\r\nPING\r\n")).get()
                return try await answer.futureResult.get()
            }
            let seconds = elapsed
            let measurements = [CheckResult.Measurement.milliseconds("latency_ms", seconds)]
            let details = ["reply: \(reply.prefix(200))"]
            if reply == "+PONG" {
                return .pass("PONG from \(target) in \(Format.duration(seconds))", measurements: measurements)
            }
            return .fail(Self.redisProblem(reply), details: details, measurements: measurements)
        } catch {
            return .fail(describe(error))
        }
    }

    /// Why a reply other than `+PONG` is wrong, from the reply's first word.
    static func redisProblem(_ reply: String) -> String {
        let error = reply.hasPrefix("-") ? String(reply.dropFirst()) : nil
        let word = error?.split(separator: " ").first.map(String.init) ?? ""
        switch word {
        case "NOAUTH": return "authentication required (NOAUTH): the server has a password and none was given"
        case "WRONGPASS": return "authentication failed (WRONGPASS)"
        case "LOADING": return "the server is loading its data set (LOADING)"
        case "MASTERDOWN": return "the replica has lost its primary (MASTERDOWN)"
        default:
            if let error { return "the server answered PING with an error: \(error.prefix(200))" }
            return "not a Redis server: it answered PING with \(reply.prefix(80).debugDescription)"
        }
    }
}
