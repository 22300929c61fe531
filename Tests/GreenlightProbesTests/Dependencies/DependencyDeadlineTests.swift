import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// A dependency's `timeout` bounds every stage of its check, whichever stalls: the check fails by
/// then, saying where it was.
@Suite("Dependency deadlines")
struct DependencyDeadlineTests {
    typealias Fixtures = DependencyFixtures

    /// A kind of check against a target stalling one stage.
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: DependencySpec.Kind
        var stage: StalledTarget.Stage

        var testDescription: String { "\(kind.rawValue), \(stage.rawValue)" }

        /// The dependency, with a 1 s timeout, pointed at `target`.
        func dependency(_ target: StalledTarget) -> DependencySpec {
            .make("stalled", kind, timeout: 1) { spec in
                switch kind {
                case .tcp, .redis: spec.address = target.address
                case .tls:
                    spec.host = "127.0.0.1"
                    spec.port = target.port
                case .http: spec.url = target.url
                case .postgres: spec.url = "postgres://app:pw@\(target.address)/app?sslmode=disable"
                case .dns: break
                }
            }
        }

        /// The summary the check must fail with.
        func expectedSummary(_ target: StalledTarget) -> String {
            let address = target.address
            let phase =
                switch (kind, stage) {
                case (.postgres, _): "connecting to \(address) and signing in as app"
                case (_, .connect): "connecting to \(address)"
                case (.tls, _): "waiting for the TLS handshake with \(address)"
                case (.redis, _): "waiting for the answer to PING from \(address)"
                case (.http, .silent), (.http, .garbage): "connecting to \(address) (TCP connect or TLS handshake)"
                case (.http, .response): "waiting for \(target.url) to answer"
                case (.http, _): "reading the body of the answer from \(target.url) (10 of 100 bytes received)"
                default: "?"
                }
            return "timed out after 1s while \(phase)"
        }
    }

    static let cases: [Case] = [
        Case(kind: .tcp, stage: .connect),
        Case(kind: .tls, stage: .connect), Case(kind: .tls, stage: .silent), Case(kind: .tls, stage: .garbage),
        Case(kind: .http, stage: .connect), Case(kind: .http, stage: .silent), Case(kind: .http, stage: .garbage),
        Case(kind: .http, stage: .response), Case(kind: .http, stage: .body),
        // A server that accepts and never writes: Redis never answers PING, PostgreSQL never answers the startup.
        Case(kind: .redis, stage: .connect), Case(kind: .redis, stage: .silent),
        Case(kind: .postgres, stage: .connect), Case(kind: .postgres, stage: .silent),
    ]

    @Test("a check whose target stalls at one stage fails at its 1 s timeout, naming the stage", arguments: cases)
    func stalledStage(_ check: Case) async throws {
        let target = try await StalledTarget(check.stage)
        let (result, elapsed) = await Fixtures.measured {
            await DependencyProber().result(of: check.dependency(target))
        }
        #expect(await target.reachedStage(), "the target did not stall at \(check.stage.rawValue)")
        await target.shutdown()

        #expect(result.status == .fail)
        #expect(result.summary == check.expectedSummary(target), "\(result.summary)")
        #expect((0.9...1.2).contains(result.durationSeconds), "\(check): \(result.durationSeconds) s")
        #expect((0.9...1.2).contains(elapsed), "\(check): took \(elapsed) s")
    }
}
