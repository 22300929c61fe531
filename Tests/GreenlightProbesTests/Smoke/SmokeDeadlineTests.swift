import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// A smoke step's `timeout` bounds every stage of its request, whichever stalls.
@Suite("Smoke step deadlines")
struct SmokeDeadlineTests {
    /// The summary a step with a 1 s timeout against `target` must fail with.
    static func expectedSummary(_ target: StalledTarget) -> String {
        let reason =
            switch target.stage {
            case .connect: "connecting to \(target.address)"
            case .silent, .garbage: "connecting to \(target.address) (TCP connect or TLS handshake)"
            case .response: "waiting for the response"
            case .body: "reading the response body (10 of 100 bytes received)"
            }
        return "step 'step 1' (1 of 1): timed out after 1 s while \(reason)"
    }

    @Test(
        "a step whose target stalls at one stage fails at its 1 s timeout, naming the stage",
        arguments: StalledTarget.Stage.allCases)
    func stalledStage(_ stage: StalledTarget.Stage) async throws {
        let target = try await StalledTarget(stage)
        let spec = try SpecFixtures.load(
            SpecFixtures.header()
                + "\nsmoke:\n  scenarios: [{ name: up, steps: [{ request: { path: / }, timeout: 1s }] }]\n")
        let session = try HTTPSession(trust: .insecure)
        let runner = SmokeRunner(
            smoke: spec.smoke!, baseURL: target.url, directory: ".",
            certificateDays: { _, _ in .failure(HTTPFailure(description: "not asked")) })
        // Measured where the runner runs: time spent waiting for a concurrency thread is not the runner's.
        let (results, elapsed) = await DependencyFixtures.measured {
            let results = await runner.run(session: session)
            await session.shutdown()
            return results
        }
        #expect(await target.reachedStage(), "the target did not stall at \(stage.rawValue)")
        await target.shutdown()

        let result = try #require(results.first)
        #expect(result.status == .fail)
        #expect(result.summary == Self.expectedSummary(target), "\(result.summary)")
        #expect((0.9...1.2).contains(result.durationSeconds), "\(stage.rawValue): \(result.durationSeconds) s")
        #expect((0.9...1.2).contains(elapsed), "\(stage.rawValue): the run and its shutdown took \(elapsed) s")
    }
}
