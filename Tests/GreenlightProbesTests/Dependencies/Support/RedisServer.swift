import Foundation
import GreenlightTestSupport

extension DependencyFixtures {
    /// A `redis-server` on a free port of 127.0.0.1, without persistence, optionally with a password.
    struct RedisServer: Sendable {
        static let executable = "/usr/bin/redis-server"
        static let missing = "redis-server is not installed: apt-get install -y redis-server (scripts/test installs it)"

        let port: Int
        private let child: ChildProcess
        private let directory: URL

        static func start(password: String? = nil) async throws -> RedisServer {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw CommandFailure(missing)
            }
            let port = Loopback.freePort()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "greenlight-redis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var arguments = [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", directory.path,
            ]
            if let password { arguments += ["--requirepass", password] }
            let server = RedisServer(port: port, child: try ChildProcess(executable, arguments), directory: directory)
            guard await Loopback.waitUntilListening(port) else {
                let output = server.child.output
                await server.stop()
                throw CommandFailure("redis-server did not listen on port \(port) within 10 s: \(output)")
            }
            return server
        }

        func stop() async {
            await child.kill()
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
