import Foundation
import GreenlightTestSupport
import Testing

/// Runs the built `greenlight` binary as a user would.
enum CLI {
    /// Examples/release.yaml.
    static var example: String { SpecFixtures.exampleURL.path }

    /// The binary sits beside the test bundle in the build folder.
    static var binary: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The binary built with these tests; never a stale one from elsewhere.
        return bundle.appendingPathComponent("greenlight")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    static func run(_ arguments: [String], env: [String: String] = [:], in directory: URL? = nil, timeout: Double = 60)
        throws -> Result
    {
        try runProgram(binary.path, arguments, env: env, in: directory, timeout: timeout)
    }

    static func runProgram(
        _ program: String, _ arguments: [String], env: [String: String] = [:], in directory: URL? = nil,
        timeout: Double = 60
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "GITHUB_STEP_SUMMARY")
        let dir = try TemporaryFolder("gl-cli")
        defer { dir.remove() }
        // `check` records its report in a ledger beside the spec; tests that do not name one get a
        // throwaway ledger, so the repository's Examples/ never gain a .greenlight folder.
        environment["GREENLIGHT_LEDGER"] = dir.appending("ledger.sqlite").path
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.currentDirectoryURL = directory ?? SpecFixtures.repository
        let out = dir.appending("out")
        let err = dir.appending("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("\(program) \(arguments.joined(separator: " ")) did not finish within \(timeout)s")
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
    }

    /// Runs python3 with a script; the test environment must provide python3 and jsonschema.
    static func python(_ script: String, _ arguments: [String]) throws -> Result {
        try runProgram("/usr/bin/env", ["python3", "-c", script] + arguments)
    }

    /// A copy of Examples/ in a temporary folder, for tests that change the example.
    static func examplesCopy() throws -> URL {
        let copy = try TemporaryFolder("gl-test").appending("Examples")
        try FileManager.default.copyItem(at: SpecFixtures.repository.appendingPathComponent("Examples"), to: copy)
        return copy
    }
}
