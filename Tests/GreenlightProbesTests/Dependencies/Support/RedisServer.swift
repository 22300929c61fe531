import Foundation

extension DependencyFixtures {
    /// A `redis-server` on a free port of 127.0.0.1, without persistence, optionally with a password.
    final class RedisServer: @unchecked Sendable {
        static let executable = "/usr/bin/redis-server"
        static let missing = "redis-server is not installed: apt-get install -y redis-server (scripts/test installs it)"

        let port: Int
        private let process: Process
        private let directory: URL

        init(password: String? = nil) throws {
            guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
                throw CommandFailure(description: Self.missing)
            }
            port = DependencyFixtures.freePort()
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "greenlight-redis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            var arguments = [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", directory.path, "--logfile", "",
            ]
            if let password { arguments += ["--requirepass", password] }
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            guard DependencyFixtures.waitUntilListening(port) else {
                stop()
                throw CommandFailure(description: "redis-server did not listen on port \(port) within 10 s")
            }
        }

        func stop() {
            // SIGKILL: test threads block SIGTERM, and the child inherits that mask.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }

        deinit { stop() }
    }
}
