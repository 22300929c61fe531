import Foundation
import GreenlightCore

@testable import GreenlightProbes

/// The real components the dependency tests start on loopback, and helpers to describe dependencies.
enum DependencyFixtures {}

extension DependencySpec {
    /// A dependency as the spec loader would read it, with `configure` filling in the fields.
    static func make(
        _ name: String, _ kind: Kind, timeout: Double = 5, _ configure: (inout DependencySpec) -> Void = { _ in }
    ) -> DependencySpec {
        var spec = DependencySpec(reading: ObjectReader(nil, DependencySpec.schema))
        spec.name = name
        spec.kind = kind
        spec.timeout = SpecDuration(seconds: timeout)
        configure(&spec)
        return spec
    }
}

extension DependencyFixtures {
    /// A value guarded by a lock, for what servers record and tests read.
    final class Locked<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value

        init(_ value: Value) { self.value = value }

        func withValue<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }

        var current: Value { lock.withLock { value } }
    }

    /// Which tells, once, that something is to be closed now.
    static func firstClose(_ flag: Locked<Bool>) -> Bool {
        flag.withValue { closed in
            let first = !closed
            closed = true
            return first
        }
    }

    /// Runs a program to completion within `timeout`; throws with its output when it fails.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 60
    ) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: log)
        }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let command = ([executable] + arguments).joined(separator: " ")
        if timedOut { throw CommandFailure(description: "\(command) did not finish within \(timeout) s: \(output)") }
        guard process.terminationStatus == 0 else {
            throw CommandFailure(description: "\(command) exited \(process.terminationStatus): \(output)")
        }
        return output
    }

    struct CommandFailure: Error, CustomStringConvertible {
        var description: String
    }
}

extension DependencyProber {
    /// The result of one dependency, checked alone.
    func result(of dependency: DependencySpec) async -> CheckResult {
        await run([dependency])[0]
    }
}

extension CheckResult {
    /// Everything the result shows, to search for text that must or must not appear.
    var shownText: String {
        ([id, title, summary] + details + evidence.map(\.reference)).joined(separator: "\n")
    }

    func measurement(_ name: String) -> Double? {
        measurements.first { $0.name == name }?.value
    }
}
