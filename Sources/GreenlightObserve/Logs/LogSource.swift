import Foundation
import GreenlightCore
import GreenlightProbes

/// Where the service's structured logs are read from: a file, or a command that prints recent lines
/// (`journalctl -o json -u shop --since -5min`, `kubectl logs deploy/shop --since=5m`).
public struct LogSource: Sendable {
    /// At most this much is read: the end of a longer file, the last output of a command.
    public static let readLimit = 32 << 20

    public enum Origin: Sendable {
        case file(String)
        case command(String)
    }

    public var origin: Origin
    /// The spec's folder: relative files and commands start there.
    public var directory: String
    public var timeout: Duration

    public init(_ spec: LogsSpec, directory: String, timeout: Duration = .seconds(30)) {
        origin = spec.file.map { .file($0) } ?? .command(spec.command ?? "")
        self.directory = directory
        self.timeout = timeout
    }

    public init(origin: Origin, directory: String, timeout: Duration = .seconds(30)) {
        self.origin = origin
        self.directory = directory
        self.timeout = timeout
    }

    /// How the source is named in messages.
    public var name: String {
        switch origin {
        case .file(let path): return path
        case .command(let command): return "`\(command)`"
        }
    }

    public struct Reading: Sendable {
        public var text: Data
        /// True when only the end of the logs was read (the line numbers count from there).
        public var clipped: Bool
    }

    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The logs as they are now.
    public func read() async throws(ReadError) -> Reading {
        switch origin {
        case .file(let path):
            let full = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
            guard let handle = FileHandle(forReadingAtPath: full) else {
                let reason = FileManager.default.fileExists(atPath: full) ? "cannot be read" : "does not exist"
                throw ReadError(description: "the log file \(path) \(reason)")
            }
            defer { try? handle.close() }
            let size = (try? handle.seekToEnd()) ?? 0
            let start = size > UInt64(Self.readLimit) ? size - UInt64(Self.readLimit) : 0
            try? handle.seek(toOffset: start)
            var text = (try? handle.readToEnd()) ?? Data()
            if start > 0, let newline = text.firstIndex(of: UInt8(ascii: "\n")) {
                text = text[text.index(after: newline)...]
            }
            return Reading(text: Data(text), clipped: start > 0)
        case .command(let command):
            var shell = ShellCommand(command, directory: directory, timeout: timeout)
            shell.outputLimit = Self.readLimit
            let outcome = await shell.run()
            if let launchError = outcome.launchError { throw ReadError(description: launchError) }
            if outcome.timedOut {
                throw ReadError(description: "\(name) did not finish within \(Format.duration(timeout.seconds))")
            }
            guard outcome.exitCode == 0 else {
                let last = outcome.output.split(separator: "\n").last.map { ": \($0)" } ?? ""
                throw ReadError(description: "\(name) exited \(outcome.exitCode.map(String.init) ?? "?")\(last)")
            }
            return Reading(text: Data(outcome.output.utf8), clipped: outcome.output.utf8.count >= Self.readLimit)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
