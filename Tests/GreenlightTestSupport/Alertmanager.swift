import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real Alertmanager that a test starts with its own configuration: alone (no cluster), on a free
/// port of 127.0.0.1, with its storage in a temporary folder. ``stop()`` kills it and removes the folder.
public struct Alertmanager: Sendable {
    /// What a test says when the program is not installed; such tests fail, never skip.
    public static let missing =
        "Alertmanager is not installed (no prometheus-alertmanager or alertmanager on PATH): "
        + "apt-get install -y prometheus-alertmanager (scripts/test installs it)"

    /// The port it listens on.
    public let port: Int
    private let child: ChildProcess
    private let folder: TemporaryFolder

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// What it has logged so far.
    public var output: String { child.output }

    /// The program on PATH: Debian's `prometheus-alertmanager`, or `alertmanager` as upstream names it.
    public static var executable: String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for name in ["prometheus-alertmanager", "alertmanager"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    /// Starts Alertmanager with `config` (YAML) and returns once `/-/ready` answers 200; another free
    /// port is tried when the chosen one was taken in between.
    public static func start(config: String) async throws -> Alertmanager {
        guard let executable else { throw CommandFailure(missing) }
        var lastFailure = ""
        for _ in 0..<5 {
            let folder = try TemporaryFolder("greenlight-alertmanager")
            let configFile = try folder.write(config, to: "alertmanager.yml")
            let port = Loopback.freePort()
            let child: ChildProcess
            do {
                child = try ChildProcess(
                    executable,
                    [
                        "--config.file=\(configFile.path)", "--storage.path=\(folder.appending("data").path)",
                        "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
                    ])
            } catch {
                folder.remove()
                throw error
            }
            let server = Alertmanager(port: port, child: child, folder: folder)
            switch await server.waitUntilReady(seconds: 20) {
            case .ready:
                return server
            case .portTaken:
                lastFailure = server.output
                await server.stop()
            case .failed(let why):
                await server.stop()
                throw CommandFailure("Alertmanager did not start on port \(port): \(why)")
            }
        }
        throw CommandFailure("Alertmanager found no free port in 5 tries: \(lastFailure)")
    }

    /// Runs `body` with a started Alertmanager, which is stopped afterwards, whatever happens.
    public static func with<T>(config: String, _ body: (Alertmanager) async throws -> T) async throws -> T {
        let server = try await start(config: config)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Kills it, reaps it and removes its folder.
    public func stop() async {
        await child.kill()
        folder.remove()
    }

    /// Sends `method path` (HTTP/1.0) to it and returns the answer.
    public func request(_ path: String, method: String = "GET", body: String? = nil) async throws
        -> LoopbackHTTPRequest.Answer
    {
        try await LoopbackHTTPRequest.send(port: port, method: method, path: path, body: body)
    }

    private enum Readiness {
        case ready
        case portTaken
        case failed(String)
    }

    private func waitUntilReady(seconds: Double) async -> Readiness {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let log = output
            if log.contains("address already in use") { return .portTaken }
            if log.contains("level=error") { return .failed(log) }
            if Loopback.canConnect(port), let answer = try? await request("/-/ready"), answer.status == 200 {
                return .ready
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return .failed("/-/ready did not answer 200 within \(Int(seconds)) s: \(output)")
    }
}
