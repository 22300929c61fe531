import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOSSL
import Synchronization

/// The check of one dependency: its spec, its deadline, and what it is doing now, so that a
/// timeout can say where it struck.
struct Probe: Sendable {
    let spec: DependencySpec
    let kind: DependencySpec.Kind
    let settings: ProbeSettings
    let start: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let progress = ProbeProgress()

    init(spec: DependencySpec, kind: DependencySpec.Kind, settings: ProbeSettings) {
        self.spec = spec
        self.kind = kind
        self.settings = settings
        start = .now
        deadline = start + .milliseconds(Int64((spec.timeout.seconds * 1000).rounded()))
    }

    /// The outcome, and how long the check took: until the work finished or the deadline struck.
    func run() async -> (outcome: ProbeOutcome, seconds: Double) {
        let race = await Deadline.race(until: deadline) { await self.perform() }
        return (race.value ?? .fail(timeoutReason), Self.seconds(race.instant - start))
    }

    private func perform() async -> ProbeOutcome {
        switch kind {
        case .dns: return await checkDNS()
        case .tcp: return await checkTCP()
        case .tls: return await checkTLS()
        case .http: return await checkHTTP()
        case .postgres: return await checkPostgres()
        case .redis: return await checkRedis()
        }
    }

    var timeout: SpecDuration { spec.timeout }

    /// Why the check ran out of time, in the words of the step it was at.
    var timeoutReason: String {
        if kind == .dns { return "no answer within \(timeout) for \(spec.host ?? "")" }
        return "timed out after \(timeout) while \(progress.phase)"
    }

    /// The time left before the deadline, never negative.
    var timeLeft: TimeAmount {
        let left = deadline - .now
        let nanoseconds = left.components.seconds * 1_000_000_000 + left.components.attoseconds / 1_000_000_000
        return .nanoseconds(max(0, nanoseconds))
    }

    var elapsed: Double { Self.seconds(.now - start) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Settings of the prober that apply to every check.
struct ProbeSettings: Sendable {
    var trustRoots: [String]
    var insecure: Bool
    var secrets: [String] = []

    /// The client TLS configuration: the system trust store plus ``trustRoots``, or no verification.
    func tlsConfiguration() -> TLSConfiguration {
        TLSTrust.clientConfiguration(trustRoots: trustRoots, insecure: insecure)
    }
}

/// The step a probe is at, for the reason given when it times out.
final class ProbeProgress: Sendable {
    private let state = Mutex((phase: "starting", target: ""))

    /// What the probe is doing, worded to follow "timed out after 5s while": `connecting to db:5432`.
    var phase: String {
        get { state.withLock { $0.phase } }
        set { state.withLock { $0.phase = newValue } }
    }

    /// The host and port the probe talks to, as shown in reasons.
    var target: String {
        get { state.withLock { $0.target } }
        set { state.withLock { $0.target = newValue } }
    }
}
