import Foundation
import Testing

/// A throwaway PostgreSQL cluster: initdb in a temporary folder owned by user postgres,
/// scram-sha-256 password authentication, listening on a free port of 127.0.0.1 with its
/// socket in that folder. ``stop()`` ends it (`pg_ctl stop -m immediate`) and deletes the folder.
public struct PostgresServer: Sendable {
    /// The server of the running suite, set by ``PostgresServerTrait``.
    @TaskLocal public static var current: PostgresServer?

    public let directory: String
    public let binaries: String
    public let port: Int
    public let user = "greenlight"
    public let password = "pg-Secret-4711"

    /// `postgres://greenlight:…@127.0.0.1:PORT/postgres`, with the real password.
    public var url: String { url() }

    public func url(user: String? = nil, password: String? = nil, database: String = "postgres") -> String {
        "postgres://\(user ?? self.user):\(password ?? self.password)@127.0.0.1:\(port)/\(database)"
    }

    static let folderPrefix = "greenlight-pg-"

    public static func start() async throws -> PostgresServer {
        let binaries = try findBinaries()
        await stopOrphans(binaries: binaries)
        let directory = "/tmp/\(folderPrefix)\(UUID().uuidString.prefix(8))"
        let server = PostgresServer(directory: directory, binaries: binaries, port: Loopback.freePort())
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            try String(getpid()).write(toFile: "\(directory)/owner", atomically: true, encoding: .utf8)
            try server.password.write(toFile: "\(directory)/pwfile", atomically: true, encoding: .utf8)
            try await ChildProcess.run("/bin/chown", ["-R", "postgres:postgres", directory])
            try await ChildProcess.run("/bin/chmod", ["700", directory])
            try await server.asPostgres(
                "\(binaries)/initdb", "-D", "\(directory)/data", "-U", server.user, "--pwfile=\(directory)/pwfile",
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
            let options = "-p \(server.port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off"
            try await server.asPostgres(
                "\(binaries)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-o", options,
                "-w", "-t", "30", "start")
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Stops the server at once and deletes its folder.
    public func stop() async {
        if FileManager.default.fileExists(atPath: "\(directory)/data/postmaster.pid") {
            _ = try? await asPostgres(
                "\(binaries)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the servers of test processes that died before stopping them (a crash skips
    /// ``stop()``); servers of live test processes are left alone.
    static func stopOrphans(binaries: String) async {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for folder in folders where folder.hasPrefix(folderPrefix) {
            let directory = "/tmp/\(folder)"
            guard let owner = try? String(contentsOfFile: "\(directory)/owner", encoding: .utf8),
                let pid = pid_t(owner.trimmingCharacters(in: .whitespacesAndNewlines)),
                kill(pid, 0) == -1, errno == ESRCH
            else { continue }
            await PostgresServer(directory: directory, binaries: binaries, port: 0).stop()
        }
    }

    /// Runs a PostgreSQL program as user postgres: initdb and postgres refuse to run as root.
    @discardableResult
    private func asPostgres(_ arguments: String...) async throws -> String {
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        if let runuser {
            return try await ChildProcess.run(runuser, ["-u", "postgres", "--"] + arguments, timeout: 90)
        }
        let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try await ChildProcess.run(
            "/bin/su", ["postgres", "-s", "/bin/sh", "-c", command.joined(separator: " ")], timeout: 90)
    }

    /// The folder of initdb and pg_ctl: PostgreSQL 15's, or the newest installed.
    public static func findBinaries() throws -> String {
        let preferred = "/usr/lib/postgresql/15/bin"
        if FileManager.default.isExecutableFile(atPath: "\(preferred)/initdb") { return preferred }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let folder = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: "\(folder)/initdb") { return folder }
        }
        throw CommandFailure(
            "PostgreSQL is not installed (no initdb under /usr/lib/postgresql): apt-get install -y postgresql-15"
        )
    }
}

/// Starts one ``PostgresServer`` for a whole suite and stops it when the suite ends, also when
/// a test fails.
public struct PostgresServerTrait: SuiteTrait, TestScoping {
    public init() {}

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await PostgresServer.start()
        do {
            try await PostgresServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == PostgresServerTrait {
    /// A throwaway PostgreSQL server for the suite, as ``PostgresServer/current``.
    public static var postgresServer: Self { Self() }
}
