import GreenlightCore
import NIOCore

extension Probe {
    /// Opens a TCP connection to `address` and closes it.
    func checkTCP() async -> ProbeOutcome {
        let address = spec.address ?? ""
        guard let target = HostPort(address) else { return .error("address \(address) is not host:port") }
        do {
            let channel = try await connect(to: target)
            let seconds = elapsed
            let peer = channel.remoteAddress?.ipAddress
            channel.close(promise: nil)
            return .pass(
                "connected to \(target) in \(Format.duration(seconds))",
                details: peer.map { ["connected to address \($0)"] } ?? [],
                measurements: [.milliseconds("latency_ms", seconds)])
        } catch {
            return .fail(describe(error))
        }
    }
}
