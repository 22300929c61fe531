import Foundation

@testable import GreenlightCore

/// Specs and helpers shared by the Core tests.
enum Fixture {
    static let minimal = """
        version: 1
        service:
          name: checkout
          version: 2.14.0
          owner: payments-team
        risk:
          likelihood: 2
          impact: 2

        """

    /// The repository's complete example.
    static var exampleURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Examples/release.yaml")
    }

    static func load(_ text: String, env: [String: String] = [:], file: String = "t.yaml") throws(SpecError)
        -> ReleaseSpec
    {
        try SpecLoader(environment: env).load(data: Data(text.utf8), file: file)
    }

    static func diagnostics(_ data: Data, env: [String: String] = [:]) -> [String] {
        do {
            _ = try SpecLoader(environment: env).load(data: data, file: "t.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    static func diagnostics(_ text: String, env: [String: String] = [:]) -> [String] {
        diagnostics(Data(text.utf8), env: env)
    }

    static func date(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: text + "T12:00:00Z")!
    }
}
