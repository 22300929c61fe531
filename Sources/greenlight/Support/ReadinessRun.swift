import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightProbes

/// The whole gate for one spec: evidence, smoke, dependencies and parity, then the report.
/// `check` and `demo` both run it.
struct ReadinessRun {
    var spec: ReleaseSpec
    var policy: RiskPolicy
    var environment: String?
    /// Called with a short note as each part starts, for progress on a terminal.
    var progress: (String) -> Void = { _ in }
    /// The parts to run; `check` runs them all, `smoke`, `deps` and `parity` one each.
    var parts: Set<Part> = Set(Part.allCases)

    enum Part: CaseIterable {
        case evidence, smoke, dependencies, parity
    }

    func run() async throws -> Report {
        let (runners, evidence) = try await runParts()
        return Gate(spec: spec, policy: policy, environment: environment).evaluate(
            runners: runners, customEvidence: evidence)
    }

    /// Runs the chosen parts and returns what the gate needs.
    func runParts() async throws -> ([RunnerResult], [String: CheckResult]) {
        var runners: [RunnerResult] = []
        let custom = parts.contains(.evidence) ? spec.checklist.custom : []
        if !custom.isEmpty {
            progress("collecting evidence for \(custom.count) checklist item\(custom.count == 1 ? "" : "s")…")
        }
        let evidence = await EvidenceCollector(directory: spec.directory, redactor: spec.redactor).collect(custom)

        let session = try makeSession()

        if parts.contains(.smoke), let smoke = spec.smoke, let name = environment,
            let target = spec.environment(named: name)
        {
            progress(
                "running \(smoke.scenarios.count) smoke scenario\(smoke.scenarios.count == 1 ? "" : "s") against \(name)…"
            )
            let runner = SmokeRunner(
                smoke: smoke, baseURL: target.url, directory: spec.directory, redactor: spec.redactor,
                certificateDays: { [roots = trustRoots(target)] host, port in
                    await SmokeRunner.certificateDays(
                        host: host, port: port, trustRoots: roots, insecure: target.insecure)
                })
            runners.append(RunnerResult(feeds: nil, checks: await runner.run(session: session)))
        }
        if parts.contains(.dependencies), !spec.dependencies.isEmpty {
            progress("checking \(spec.dependencies.count) dependenc\(spec.dependencies.count == 1 ? "y" : "ies")…")
            var prober = DependencyProber(redactor: spec.redactor)
            prober.directory = spec.directory
            runners.append(RunnerResult(feeds: nil, checks: await prober.run(spec.dependencies)))
        }
        if parts.contains(.parity), spec.parity != nil {
            progress("comparing environments…")
            runners.append(
                RunnerResult(feeds: .environmentParity, checks: await ParityRunner(spec: spec).run(session: session)))
        }
        await session.shutdown()
        return (runners, evidence)
    }

    func trustRoots(_ environment: EnvironmentSpec) -> [String] {
        environment.ca.map { [ChecklistEvaluator.resolve($0, in: spec.directory)] } ?? []
    }

    /// One HTTP session for the run, trusting what the checked environment says to trust.
    func makeSession() throws -> HTTPSession {
        let target = environment.flatMap(spec.environment(named:))
        let trust: TLSTrust
        if target?.insecure == true {
            trust = .insecure
        } else if let ca = target?.ca {
            trust = .customCA(path: ChecklistEvaluator.resolve(ca, in: spec.directory))
        } else {
            trust = .system
        }
        return try HTTPSession(trust: trust)
    }
}
