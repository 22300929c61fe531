import Foundation
import GreenlightCore
import GreenlightTestSupport

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
    /// The value of `operation` and the wall-clock seconds it took, measured where the probes run
    /// (``ProbeExecutor``), so that time spent waiting for a concurrency thread that other tests
    /// keep busy is not counted.
    static func measured<T: Sendable>(_ operation: () async -> T) async -> (T, Double) {
        await onProbeExecutor {
            let start = ContinuousClock.now
            let value = await operation()
            let elapsed = ContinuousClock.now - start
            return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
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

extension DependencyFixtures {
    /// The throwaway PostgreSQL cluster the ledger tests use too.
    typealias PostgresServer = GreenlightTestSupport.PostgresServer
}
