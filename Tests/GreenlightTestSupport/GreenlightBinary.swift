import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The greenlight binary the tests run: it sits beside the test bundle in the build folder.
public enum GreenlightBinary {
    public static var path: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("greenlight")
            .path
    }

    /// Runs greenlight; returns its exit status and what it printed (stdout and stderr).
    public static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        let child = try ChildProcess(path, arguments, environment: environment)
        defer { unlink(child.outputPath) }
        let status = await child.wait()
        return ((status >> 8) & 0xFF, child.output)
    }
}
