import Foundation
import GreenlightCore
import GreenlightHTTP

/// A smoke scenario replayed as one user's session under load: the same requests, captures and
/// assertions as the smoke runner, sent over whatever transport the load engine lends it.
package struct SessionScript: Sendable {
    /// Sends a step's request. The flag says whether the step leaves the status unchecked, so that
    /// the engine counts a 4xx or 5xx as an error itself.
    package typealias Transport =
        @Sendable (HTTPRequestRecord, Duration, _ judgeStatus: Bool) async throws ->
        HTTPResponseRecord

    package struct Outcome: Sendable {
        package enum Failure: Sendable, Hashable {
            /// The request could not be built (a placeholder without a value, an unreadable upload).
            case request(String)
            /// The transport failed: connection, timeout or a malformed response; the engine counted it.
            case transport(String)
            /// A capture or an assertion did not hold.
            case assertion(String)
        }

        /// The step that failed ("sign in", or "step 2"), with the reason; nil when every step passed.
        package var failedStep: String?
        package var failure: Failure?
        package var steps = 0
        /// The secrets the session revealed (credential headers, secret captures), kept only when it
        /// failed: then its failure text may be shown, and the redaction boundary must know them.
        package var secrets: [String] = []
    }

    package var scenario: SmokeScenario
    package var baseURL: String
    package var directory: String

    package init(scenario: SmokeScenario, baseURL: String, directory: String) {
        self.scenario = scenario
        self.baseURL = baseURL
        self.directory = directory
    }

    /// The exact request a spec's request becomes with `variables` (no cookies): for requests a load
    /// test encodes once and sends unchanged.
    package static func build(
        _ request: HTTPRequestSpec, variables: [String: String], baseURL: String, directory: String
    ) throws -> HTTPRequestRecord {
        try RequestBuilder(request: request, baseURL: baseURL, directory: directory)
            .build(variables: variables, cookies: CookieJar())
    }

    /// Runs the steps in order with `variables` (spec variables and a data row) and a fresh cookie jar;
    /// stops at the first failing step. `tls_min_days_valid` is a smoke concern and is not checked here.
    package func run(variables: [String: String], transport: @escaping Transport) async -> Outcome {
        var state = ScenarioState(variables: variables)
        var outcome = Outcome()
        var revealed: [String] = []
        for (index, step) in scenario.steps.enumerated() {
            let executor = StepExecutor(
                step: step, baseURL: baseURL, directory: directory, certificateDays: { _, _ in .success(Int.max) })
            let judge = step.expect?.status == nil
            let result = await executor.run(&state) { record, timeout in try await transport(record, timeout, judge) }
            outcome.steps += 1
            revealed += result.secrets
            let name = step.name ?? "step \(index + 1)"
            if result.failures.first != nil || result.error != nil { outcome.secrets = revealed }
            if let failure = result.failures.first {
                outcome.failedStep = name
                outcome.failure = .assertion(
                    "\(failure.assertion): expected \(failure.expected), got \(failure.actual)")
                return outcome
            }
            if let error = result.error {
                outcome.failedStep = name
                outcome.failure = result.exchange == nil ? .request(error) : .transport(error)
                return outcome
            }
        }
        return outcome
    }
}
