import Foundation
import GreenlightCore
import GreenlightHTTP

/// Runs the spec's smoke scenarios against one environment: steps in order within a scenario,
/// scenarios in parallel up to the spec's bound. One check per scenario.
public struct SmokeRunner: Sendable {
    public var smoke: SmokeSpec
    public var baseURL: String
    public var directory: String
    /// Where the secrets the steps reveal go (credential headers, secret captures), for the
    /// redaction boundary; it may hold the spec's secrets too. The runner masks only where it cuts
    /// a body (mask first, then cut); the boundary masks everything else.
    public var secrets: SecretSink?
    /// Tells how many days the certificate of host:port has left, for `tls_min_days_valid`.
    public var certificateDays: @Sendable (_ host: String, _ port: Int) async -> Result<Int, HTTPFailure>

    public static let defaultStepTimeout = StepExecutor.defaultTimeout

    public init(
        smoke: SmokeSpec, baseURL: String, directory: String, secrets: SecretSink? = nil,
        certificateDays: @escaping @Sendable (String, Int) async -> Result<Int, HTTPFailure>
    ) {
        self.smoke = smoke
        self.baseURL = baseURL
        self.directory = directory
        self.secrets = secrets
        self.certificateDays = certificateDays
    }

    /// One check per scenario, in the spec's order. The scenarios run on the probes' own threads
    /// (``ProbeExecutor``), so that a step's timeout holds while other work keeps every concurrency
    /// thread busy.
    public func run(session: HTTPSession) async -> [CheckResult] {
        await onProbeExecutor { await runAll(session: session) }
    }

    private func runAll(session: HTTPSession) async -> [CheckResult] {
        var results = [CheckResult?](repeating: nil, count: smoke.scenarios.count)
        await withTaskGroup(of: (Int, CheckResult).self) { group in
            var next = 0
            func start() {
                guard next < smoke.scenarios.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.run(self.smoke.scenarios[index], session: session)) }
            }
            for _ in 0..<max(1, smoke.parallelism) { start() }
            while let (index, result) = await group.next() {
                results[index] = result
                start()
            }
        }
        // Names that differ only in case or punctuation share a slug: number the later ones.
        var seen: [String: Int] = [:]
        return results.compactMap { $0 }.map { result in
            var result = result
            let count = seen[result.id, default: 0] + 1
            seen[result.id] = count
            if count > 1 { result.id += "-\(count)" }
            return result
        }
    }

    /// Runs one scenario's steps in order, sharing variables and cookies; stops at the first failing step.
    func run(_ scenario: SmokeScenario, session: HTTPSession) async -> CheckResult {
        let start = ContinuousClock.now
        var state = ScenarioState(
            variables: Dictionary(smoke.variables.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        var measurements: [CheckResult.Measurement] = []
        let id = "smoke." + Self.slug(scenario.name)
        let title = "Smoke: \(scenario.name)"
        for (index, step) in scenario.steps.enumerated() {
            let name = step.name ?? "step \(index + 1)"
            let executor = StepExecutor(
                step: step, baseURL: baseURL, directory: directory, certificateDays: certificateDays)
            let outcome = await executor.run(&state, session: session)
            secrets?.add(contentsOf: outcome.secrets)
            measurements.append(.init(name: "\(name) ms", value: (outcome.seconds * 1000).rounded(), unit: "ms"))
            if !outcome.failures.isEmpty || outcome.error != nil {
                var details: [String] = [
                    "scenario: \(scenario.name)", "step: \(name) (\(index + 1) of \(scenario.steps.count))",
                ]
                if outcome.attempts > 1 { details.append("attempts: \(outcome.attempts)") }
                if let error = outcome.error { details.append("error: \(error)") }
                for failure in outcome.failures {
                    details.append("assertion: \(failure.assertion)")
                    details.append("  expected: \(failure.expected)")
                    details.append("  actual:   \(failure.actual)")
                }
                if let exchange = outcome.exchange {
                    details.append("exchange:")
                    let known = Redactor(secrets: (secrets?.all ?? []) + outcome.secrets)
                    details += exchange.lines(secrets: known).map { "  " + $0 }
                }
                let reason =
                    outcome.error ?? outcome.failures.first.map {
                        "\($0.assertion): expected \($0.expected), got \($0.actual)"
                    } ?? ""
                return CheckResult(
                    id: id, title: title, category: .smoke, status: .fail,
                    summary: "step '\(name)' (\(index + 1) of \(scenario.steps.count)): \(reason)",
                    details: details, measurements: measurements,
                    durationSeconds: Self.seconds(ContinuousClock.now - start))
            }
        }
        let total = Self.seconds(ContinuousClock.now - start)
        return CheckResult(
            id: id, title: title, category: .smoke, status: .pass,
            summary:
                "\(Format.count(scenario.steps.count, "step")) passed in \(Format.duration(total))",
            measurements: measurements, durationSeconds: total)
    }

    static func slug(_ name: String) -> String {
        let lowered = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(lowered).split(separator: "-").joined(separator: "-")
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
