import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus or Alertmanager (Debian's `prometheus` and `prometheus-alertmanager`) that a
/// test starts on 127.0.0.1, with its configuration and storage in a temporary folder; ``stop()``
/// kills it and removes the folder. A missing binary is an error that says how to install it.
public struct MonitoringServer: Sendable {
    public enum Kind: String, Sendable {
        case prometheus
        case alertmanager

        /// The names the binary goes by: Debian installs Alertmanager as `prometheus-alertmanager`.
        var binaries: [String] {
            switch self {
            case .prometheus: ["prometheus"]
            case .alertmanager: ["prometheus-alertmanager", "alertmanager"]
            }
        }

        /// A configuration that works on its own; `PORT` is replaced with the server's port.
        var defaultConfiguration: String {
            switch self {
            case .prometheus:
                """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: prometheus
                    static_configs:
                      - targets: ["127.0.0.1:PORT"]

                """
            case .alertmanager:
                """
                route:
                  receiver: default
                receivers:
                  - name: default

                """
            }
        }
    }

    public let kind: Kind
    public let port: Int
    public let process: ChildProcess
    public let folder: TemporaryFolder

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The path of the server's binary in `folders` (by default the PATH, /usr/bin and /usr/sbin), or an
    /// error saying to install it.
    public static func executable(_ kind: Kind, in folders: [String]? = nil) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = folders ?? path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"]
        for name in kind.binaries {
            for folder in folders {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        throw CommandFailure(
            "\(kind.binaries[0]) is not installed; install it with `apt-get install -y prometheus prometheus-alertmanager` (scripts/test does)"
        )
    }

    /// Starts the server with `configuration` (`PORT` replaced by its port) and waits until `/-/ready`
    /// answers 200. A port taken between choosing and binding it is retried with another.
    public static func start(_ kind: Kind, configuration: String? = nil) async throws -> MonitoringServer {
        let executable = try executable(kind)
        var lastFailure = ""
        for _ in 0..<5 {
            let folder = try TemporaryFolder("greenlight-\(kind.rawValue)")
            let port = Loopback.freePort()
            let config = try folder.write(
                (configuration ?? kind.defaultConfiguration).replacingOccurrences(of: "PORT", with: String(port)),
                to: "\(kind.rawValue).yml")
            var arguments = ["--config.file=\(config.path)", "--web.listen-address=127.0.0.1:\(port)"]
            switch kind {
            case .prometheus: arguments.append("--storage.tsdb.path=\(folder.appending("data").path)")
            case .alertmanager:
                arguments += ["--storage.path=\(folder.appending("data").path)", "--cluster.listen-address="]
            }
            let process: ChildProcess
            do {
                process = try ChildProcess(executable, arguments)
            } catch {
                folder.remove()
                throw error
            }
            let server = MonitoringServer(kind: kind, port: port, process: process, folder: folder)
            if await server.waitUntilReady(seconds: 30) { return server }
            lastFailure = process.output
            await server.stop()
            guard lastFailure.contains("address already in use") else { break }
        }
        throw CommandFailure("\(kind.rawValue) did not become ready: \(lastFailure.suffix(2000))")
    }

    /// Runs `body` with a started server, which is stopped afterwards, whatever happens.
    public static func with<T>(
        _ kind: Kind, configuration: String? = nil, _ body: (MonitoringServer) async throws -> T
    ) async throws -> T {
        let server = try await start(kind, configuration: configuration)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Kills the server, reaps it and removes its folder.
    public func stop() async {
        await process.kill()
        folder.remove()
    }

    /// Polls `/-/ready` until it answers 200, for up to `seconds`.
    public func waitUntilReady(seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if Self.status(port: port, path: "/-/ready") == 200 { return true }
            if process.output.contains("address already in use") { return false }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The status of `GET path` on 127.0.0.1:`port` (HTTP/1.0, one second per socket operation), nil
    /// when nothing answered.
    public static func status(port: Int, path: String) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = Loopback.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var head = [UInt8](repeating: 0, count: 64)
        var received = 0
        while received < 12 {
            let n = head.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, 64 - received, 0) }
            guard n > 0 else { break }
            received += n
        }
        // "HTTP/1.1 200 OK"
        let line = String(decoding: head.prefix(received), as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }
}
