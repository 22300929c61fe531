import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightHTTP

/// The one deadline of a request: whichever stage stalls, the request fails at its timeout,
/// saying which stage it was at.
@Suite("HTTP session deadlines")
struct HTTPSessionDeadlineTests {
    /// The reason a 1 s request to `target` must fail with.
    static func expectedReason(_ target: StalledTarget) -> String {
        switch target.stage {
        case .connect: "timed out after 1 s while connecting to \(target.address)"
        case .silent, .garbage:
            "timed out after 1 s while connecting to \(target.address) (TCP connect or TLS handshake)"
        case .response: "timed out after 1 s while waiting for the response"
        case .body: "timed out after 1 s while reading the response body (10 of 100 bytes received)"
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test(
        "a stalled stage fails the request at its 1 s timeout, naming the stage",
        arguments: StalledTarget.Stage.allCases)
    func stalledStage(_ stage: StalledTarget.Stage) async throws {
        let target = try await StalledTarget(stage)
        let session = try HTTPSession(trust: .insecure)
        let request = HTTPRequestRecord(method: "GET", url: target.url, headers: [], body: Data())
        // Measured on threads of their own: time spent waiting for a busy concurrency pool is not the session's.
        let ((failure, elapsed), withShutdown) = await Timing.measured {
            let (failure, elapsed) = await Timing.measured { () -> HTTPFailure? in
                do {
                    let response = try await session.send(request, timeout: .seconds(1))
                    Issue.record("a stalled \(stage.rawValue) answered \(response.status)")
                    return nil
                } catch {
                    return error as? HTTPFailure
                }
            }
            // Nothing of the request outlives its deadline: no connection still being opened holds the shutdown.
            await session.shutdown()
            return (failure, elapsed)
        }
        #expect(await target.reachedStage(), "the target did not stall at \(stage.rawValue)")
        await target.shutdown()

        #expect(failure?.description == Self.expectedReason(target), "\(failure?.description ?? "no HTTPFailure")")
        #expect((0.9...1.2).contains(elapsed), "\(stage.rawValue): the request took \(elapsed) s")
        #expect(withShutdown <= 1.2, "\(stage.rawValue): with the session's shutdown, \(withShutdown) s")
    }

    @Test("a server answering the ClientHello with bytes that are not TLS fails at once with a plain reason")
    func notTLS() async throws {
        let listener = try await TLSStallListener(.notTLS)
        let session = try HTTPSession(trust: .insecure)
        let request = HTTPRequestRecord(
            method: "GET", url: "https://127.0.0.1:\(listener.port)/", headers: [], body: Data())
        let start = ContinuousClock.now
        var failure: HTTPFailure?
        do {
            _ = try await session.send(request, timeout: .seconds(5))
        } catch {
            failure = error as? HTTPFailure
        }
        let elapsed = Self.seconds(ContinuousClock.now - start)
        await session.shutdown()
        await listener.shutdown()
        #expect(failure?.description == "TLS handshake failed: the server does not speak TLS (WRONG_VERSION_NUMBER)")
        #expect(elapsed < 1, "took \(elapsed) s")
    }
}
