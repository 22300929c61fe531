import Foundation
import GreenlightCore
import GreenlightObserve

#if canImport(Glibc)
import Glibc
#endif

/// A real Alertmanager for `greenlight demo`, when one is installed: alone (no cluster), on a free
/// loopback port, routing DemoShop's pages to greenlight's own webhook receiver within a second.
final class DemoAlertmanager: Sendable {
    let port: Int
    /// The holding shell's pid, the leader of the process group Alertmanager runs in.
    let pid: pid_t
    private let leftover: Leftovers.Token

    /// The names the binary goes by: upstream's, and Debian's.
    static let binaries = ["alertmanager", "prometheus-alertmanager"]

    /// The installed binary, if any: `GREENLIGHT_ALERTMANAGER` (a path, or `none` to run without one),
    /// else the first of ``binaries`` on PATH.
    static func installed() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["GREENLIGHT_ALERTMANAGER"], !chosen.isEmpty {
            return chosen == "none" ? nil : chosen
        }
        return binaries.lazy.compactMap { ToolRun.find($0) }.first
    }

    /// How to get one, for the demo's note.
    static let installHint =
        "install Alertmanager (Debian: apt-get install prometheus-alertmanager) and run the demo again for the full alert → page path"

    /// The routing of the demo: pages reach `demoshop-oncall`, tickets the team's queue; both deliver to
    /// greenlight's receiver on `webhookPort`.
    static func configuration(webhookPort: Int) -> String {
        """
        # Alertmanager of `greenlight demo`: pages go to the on-call receiver, everything else to the team.
        route:
          receiver: shop-team
          group_by: [alertname]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
          routes:
            - matchers: ['severity=~"page|critical"']
              receiver: demoshop-oncall
        receivers:
          - name: demoshop-oncall
            webhook_configs:
              - url: http://127.0.0.1:\(webhookPort)/
                send_resolved: false
          - name: shop-team
            webhook_configs:
              - url: http://127.0.0.1:\(webhookPort)/team
                send_resolved: false

        """
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `binary` with the configuration file in `folder` and waits (up to 15 s) until it is ready.
    static func start(binary: String, config: String, folder: URL) async throws(StartError) -> DemoAlertmanager {
        var lastProblem = ""
        for _ in 0..<3 {
            let port = freePort()
            let storage = folder.appendingPathComponent("alertmanager-data").path
            let arguments = [
                "--config.file=\(config)", "--storage.path=\(storage)", "--web.listen-address=127.0.0.1:\(port)",
                "--cluster.listen-address=", "--log.level=warn",
            ]
            let output = folder.appendingPathComponent("alertmanager.out").path
            // Alertmanager must die with greenlight, even on SIGKILL: a shell starts it, and a subshell
            // reads a pipe whose other end only greenlight holds; when that end closes, it kills Alertmanager.
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw StartError(description: "cannot start \(binary): no pipe") }
            let (input, lifeline) = (ends[0], ends[1])
            _ = fcntl(input, F_SETFD, FD_CLOEXEC)
            _ = fcntl(lifeline, F_SETFD, FD_CLOEXEC)
            // The shell waits for Alertmanager (so its exit shows), while a subshell reads the pipe.
            let script =
                #"exec 3<&0; "$@" </dev/null 3<&- & child=$!; (read _ <&3; kill -9 $child 2>/dev/null) & exec 3<&-; wait $child"#
            let (spawned, leftover) = Leftovers.track({
                ProcessSpawn.start(
                    "/bin/sh", ["-c", script, "greenlight-alertmanager", binary] + arguments, outputPath: output,
                    newProcessGroup: true, input: input)
            }) { spawned in
                if case .success(let pid) = spawned { kill(-pid, SIGKILL) }
            }
            close(input)
            guard case .success(let pid) = spawned else {
                Leftovers.forget(leftover)
                close(lifeline)
                throw StartError(description: "cannot start \(binary)")
            }
            let manager = DemoAlertmanager(port: port, pid: pid, lifeline: lifeline, leftover: leftover)
            if await manager.waitUntilReady(seconds: 15) { return manager }
            manager.stop()
            let said = (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n").last
            lastProblem =
                said.map { "it said: \($0)" }
                ?? "\(binary) printed nothing and was not ready on /-/ready within 15 s (is it Alertmanager?)"
        }
        throw StartError(description: "Alertmanager did not start: \(lastProblem)")
    }

    /// The write end of the holding shell's stdin: closing it (or greenlight's death) ends Alertmanager.
    private let lifeline: Int32

    private init(port: Int, pid: pid_t, lifeline: Int32, leftover: Leftovers.Token) {
        self.port = port
        self.pid = pid
        self.lifeline = lifeline
        self.leftover = leftover
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Polls `/-/ready` until it answers 200, or the process has exited.
    private func waitUntilReady(seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return false }
            if Self.ready(port: port) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// One `GET /-/ready` over a plain socket: 200 means ready.
    private static func ready(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return false }
        let request = "GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return false }
        return String(decoding: buffer[..<count], as: UTF8.self).contains(" 200 ")
    }

    /// A port nobody listens on now: bound to 0, read back, released.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: bound.sin_port))
    }

    /// Ends it and its process group.
    func stop() {
        close(lifeline)
        ProcessSpawn.endGroup(pid)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        Leftovers.forget(leftover)
    }
}
