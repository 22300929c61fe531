import Foundation
import GreenlightCore
import NIOCore
import NIOPosix

/// Checks that a release's dependencies behave: each answers within its timeout, with a precise
/// reason when it does not (NXDOMAIN, connection refused, timeout, certificate expired,
/// authentication failed).
///
/// Dependencies are checked concurrently, at most `concurrency` at a time. Each is bounded by its
/// own timeout, counted from its start, even where a library would wait longer.
public struct DependencyProber: Sendable {
    public var concurrency: Int
    /// PEM files of certificate authorities trusted besides the system store, for tls and https checks.
    public var trustRoots: [String] = []
    /// Accepts any certificate in tls and https checks (staging with throwaway certificates).
    public var insecure = false
    /// The folder relative `ca` paths start from: the spec's.
    public var directory = "."
    /// Secrets known before the run (the spec's), masked in a body before it is cut for a
    /// message; all else is masked at the redaction boundary.
    public var secrets: [String] = []

    public init(concurrency: Int = 16) {
        self.concurrency = max(1, concurrency)
    }

    /// One result per dependency, in the order given.
    public func run(_ dependencies: [DependencySpec]) async -> [CheckResult] {
        await onProbeExecutor { await checkAll(dependencies) }
    }

    private func checkAll(_ dependencies: [DependencySpec]) async -> [CheckResult] {
        var results = [CheckResult?](repeating: nil, count: dependencies.count)
        await withTaskGroup(of: (Int, CheckResult).self) { group in
            var pending = dependencies.enumerated().makeIterator()
            func startNext() {
                guard let (index, spec) = pending.next() else { return }
                group.addTask { (index, await self.check(spec)) }
            }
            for _ in 0..<concurrency { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
        }
        return results.map { $0! }
    }

    /// Checks one dependency.
    func check(_ spec: DependencySpec) async -> CheckResult {
        let start = ContinuousClock.now
        let kind = spec.kind
        var outcome: ProbeOutcome
        var seconds: Double?
        if let kind, let missing = kind.requiredFields.first(where: { !spec.has($0) }) {
            outcome = .error("no \(missing) given; a \(kind.rawValue) dependency needs one")
        } else if let kind {
            // A dependency with its own trust gets its own settings.
            let own = spec.ca != nil || spec.insecure
            let probe = Probe(spec: spec, kind: kind, settings: own ? settings(for: spec) : settings)
            let run = await probe.run()
            outcome = run.outcome
            seconds = run.seconds
        } else {
            outcome = .error(
                "no kind given; use one of \(DependencySpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return CheckResult(
            id: "dependencies.\(spec.name)", title: "\(spec.name) (\(kind?.rawValue ?? "unknown kind"))",
            category: .dependencies, status: outcome.status, summary: outcome.summary,
            details: outcome.details, measurements: outcome.measurements,
            evidence: spec.shownURL.map { [CheckResult.EvidenceRecord(kind: "url", reference: $0)] }
                ?? [],
            durationSeconds: seconds ?? Probe.seconds(ContinuousClock.now - start))
    }

    var settings: ProbeSettings { ProbeSettings(trustRoots: trustRoots, insecure: insecure, secrets: secrets) }

    /// The prober's settings plus the dependency's own `ca` and `insecure`.
    func settings(for spec: DependencySpec) -> ProbeSettings {
        let ca = spec.ca.map { SpecPath.resolve($0, in: directory) }
        return ProbeSettings(trustRoots: trustRoots + (ca.map { [$0] } ?? []), insecure: insecure || spec.insecure)
    }
}

extension DependencySpec {
    /// The URL of an http or postgres dependency as it may be shown: without a password.
    var shownURL: String? {
        guard let url, kind == .http || kind == .postgres else { return nil }
        if kind == .postgres, let parsed = try? PostgresURL(url) { return parsed.display }
        return DisplayURL.withoutPassword(url)
    }

    /// Whether a field of the spec is set, by its name in release.yaml.
    func has(_ field: String) -> Bool {
        switch field {
        case "host": return host?.isEmpty == false
        case "address": return address?.isEmpty == false
        case "url": return url?.isEmpty == false
        default: return true
        }
    }
}
