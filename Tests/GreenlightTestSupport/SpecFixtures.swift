import Foundation
import GreenlightCore

/// Release specs for tests: minimal valid texts, and a loader that returns the spec or its diagnostics.
public enum SpecFixtures {
    /// The smallest valid spec, in block style, ending with a newline.
    public static let minimal = """
        version: 1
        service:
          name: checkout
          version: 2.14.0
          owner: payments-team
        risk:
          likelihood: 2
          impact: 2

        """

    /// The three lines every spec needs (version, service, lowest risk), without a final newline, to start a
    /// spec's text with.
    public static func header(name: String = "svc", owner: String = "team") -> String {
        """
        version: 1
        service: { name: \(name), version: "1", owner: \(owner) }
        risk: { likelihood: 1, impact: 1 }
        """
    }

    /// The repository's root folder.
    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The repository's complete example, Examples/release.yaml.
    public static var exampleURL: URL { repository.appendingPathComponent("Examples/release.yaml") }

    /// Loads `text` as the spec file `file` in `directory`, with `env` as the environment and `policy`.
    public static func load(
        _ text: String, env: [String: String] = [:], policy: RiskPolicy = .standard, file: String = "t.yaml",
        directory: String = "."
    ) throws(SpecError) -> ReleaseSpec {
        try SpecLoader(environment: env, policy: policy).load(data: Data(text.utf8), file: file, directory: directory)
    }

    /// The diagnostics loading `data` gives, as shown; empty when it loads.
    public static func diagnostics(_ data: Data, env: [String: String] = [:]) -> [String] {
        do {
            _ = try SpecLoader(environment: env).load(data: data, file: "t.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// The diagnostics loading `text` gives, as shown; empty when it loads.
    public static func diagnostics(_ text: String, env: [String: String] = [:]) -> [String] {
        diagnostics(Data(text.utf8), env: env)
    }

    /// Noon UTC of the day `text` (`yyyy-MM-dd`).
    public static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text + "T12:00:00Z")!
    }
}

extension SpecFixtures {
    /// A policy (as a file's text) under which a 2 s load test at 3× counts as sustained.
    public static let shortLoadPolicy = "load:\n  min_multiplier: 3\n  min_duration: 1s\n"

    /// A spec whose load test runs DemoShop's browse scenario and /healthz (3 to 1) at 3× 20 requests a
    /// second for 2 s against staging at 127.0.0.1:`port`, with `thresholds`, followed by `extra` lines.
    public static func loadSpec(port: Int, thresholds: [String], extra: String = "") -> String {
        """
        \(header(name: "shop", owner: "team"))
        environments:
          staging: { url: "http://127.0.0.1:\(port)" }
        traffic: { expected_peak_rps: 20 }
        smoke:
          scenarios:
            - name: browse
              steps:
                - request: { path: /api/products }
                  expect: { status: 200 }
        load:
          multiplier: 3
          duration: 2s
          mix:
            - { weight: 3, scenario: browse }
            - { weight: 1, request: { path: /healthz } }
          thresholds: [\(thresholds.map { "\"\($0)\"" }.joined(separator: ", "))]
        \(extra)
        """
    }
}
