import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightLoad
import GreenlightObserve
import GreenlightProbes

/// The whole gate for one spec: evidence, smoke, dependencies, parity, observability and load, then the report,
/// masked at the redaction boundary. `check`, the part commands and `demo` all run it.
public struct ReadinessRun: Sendable {
    public enum Part: CaseIterable, Sendable {
        case evidence, smoke, dependencies, parity, observability, load
    }

    public var spec: ReleaseSpec
    public var policy: RiskPolicy
    /// The environment to check; ``ReleaseSpec/targetEnvironment(_:)`` picks the default.
    public var environment: String?
    /// The parts to run; `check` runs them all, `smoke`, `deps`, `parity` and `observe` one each.
    public var parts: Set<Part> = Set(Part.allCases)
    /// A recorded load result (`check --load-result`) judged instead of running the load test.
    public var loadResult: LoadResult?
    /// Called with a short note as each part starts, for progress on a terminal.
    public var progress: @Sendable (String) -> Void = { _ in }
    /// Live progress of the load test, about twice a second.
    public var loadProgress: (@Sendable (LoadProgress) -> Void)?
    /// The clock the checklist judges dates by.
    public var now = Date()

    public init(spec: ReleaseSpec, policy: RiskPolicy, environment: String?) {
        self.spec = spec
        self.policy = policy
        self.environment = environment
    }

    /// Runs the chosen parts and returns the masked report. Throws ``GateError`` (masked) when the run
    /// cannot start, such as an environment's CA file that cannot be read.
    public func run() async throws(GateError) -> Report {
        let secrets = SecretSink()
        var (runners, evidence) = try await runParts(secrets)
        var timeline: LoadTimeline?
        if parts.contains(.load), let (check, series) = await runLoad(secrets) {
            runners.append(RunnerResult(feeds: .loadTesting, checks: [check]))
            timeline = series
        }
        let report = Gate(spec: spec, policy: policy, environment: environment, now: now).evaluate(
            runners: runners, customEvidence: evidence, loadTimeline: timeline)
        return try RedactionBoundary(spec: spec, discovered: secrets).report(report)
    }

    /// The masked checks of one part alone, for `greenlight smoke | deps | parity`.
    public func checks(of part: Part) async throws(GateError) -> [CheckResult] {
        var single = self
        single.parts = [part]
        let secrets = SecretSink()
        let (runners, _) = try await single.runParts(secrets)
        return try RedactionBoundary(spec: spec, discovered: secrets).value(runners.flatMap(\.checks))
    }

    /// The load test of the spec against the checked environment (or a recorded result), as the
    /// check that feeds the load-testing item; nil when the spec has no load section.
    func runLoad(_ secrets: SecretSink) async -> (CheckResult, LoadTimeline?)? {
        guard let load = spec.load else { return nil }
        let requiredRate =
            load.model == .open ? spec.traffic.map { $0.expectedPeakRPS * load.multiplier } : nil
        let requiredSeconds =
            (load.duration?.seconds ?? 0) + (load.rampUp?.seconds ?? 0) + (load.rampDown?.seconds ?? 0)
        func failed(_ summary: String) -> (CheckResult, LoadTimeline?) {
            (CheckResult(id: "load", title: "Load test", category: .load, status: .fail, summary: summary), nil)
        }
        var result: LoadResult
        if let recorded = loadResult {
            result = recorded
            if let name = environment, let env = spec.environment(named: name),
                let url = try? LoadTarget(url: env.url).baseURL, url != recorded.target
            {
                return failed("the recorded load ran against \(recorded.target), not \(name) (\(url))")
            }
            let thresholds = load.thresholds
            if !thresholds.isEmpty { result.thresholds = Thresholds.evaluate(thresholds, on: result) }
        } else {
            guard let name = environment else {
                return failed("the spec declares no environment to run the load test against")
            }
            let options = LoadPlanner.Options(threads: ProcessInfo.processInfo.activeProcessorCount)
            let plan: LoadPlan
            do {
                plan = try LoadPlanner.plan(spec: spec, environment: name, options: options)
            } catch {
                return failed(error.description)
            }
            progress("load test against \(name): \(plan.shape)…")
            defer { secrets.add(contentsOf: plan.secrets.all) }
            do {
                result = try await LoadExecution.run(
                    plan, watch: load.watch, thresholds: load.thresholds, abortWhenHopeless: load.abortWhenHopeless,
                    progress: loadProgress)
            } catch {
                return failed(error.description)
            }
        }
        let check = result.gateCheck(
            requiredRate: requiredRate, requiredSeconds: requiredSeconds, requiredModel: load.model,
            requiredUsers: load.model == .closed ? load.virtualUsers : nil)
        return (check, result.reportTimeline)
    }

    /// Runs the chosen parts other than load and returns what the gate needs.
    func runParts(_ secrets: SecretSink) async throws(GateError) -> ([RunnerResult], [String: CheckResult]) {
        var runners: [RunnerResult] = []
        let custom = parts.contains(.evidence) ? spec.checklist.custom : []
        if !custom.isEmpty {
            progress("collecting evidence for \(Format.count(custom.count, "checklist item"))…")
        }
        let evidence = await EvidenceCollector(directory: spec.directory).collect(custom)
        // Runners that cut a body mask it first, with what the sink holds: the spec's secrets too.
        secrets.add(contentsOf: spec.redactor.secrets)
        // The credential headers that dependency probes and descriptor endpoints send are secrets
        // whatever their source, like those smoke steps send.
        for dependency in spec.dependencies {
            for (name, value) in dependency.headers { secrets.add(header: name, value: value) }
        }
        for (_, environment) in spec.environments {
            if case .endpoint(_, let headers) = environment.descriptor {
                for (name, value) in headers { secrets.add(header: name, value: value) }
            }
        }

        let target = environment.flatMap(spec.environment(named:))
        let trust = target.map { TLSTrust($0, directory: spec.directory) } ?? .system
        let session: HTTPSession
        do {
            // Smoke and observability requests carry a trace context in the propagation the service declares.
            let tracing = spec.observability?.traces.flatMap { TraceStamp.Propagation(rawValue: $0.propagation) }
            session = try HTTPSession(trust: trust, tracing: tracing ?? .w3c)
        } catch {
            throw GateError(RedactionBoundary(spec: spec).text("\(error)"))
        }

        if parts.contains(.smoke), let smoke = spec.smoke, let name = environment, let target {
            progress(
                "running \(Format.count(smoke.scenarios.count, "smoke scenario")) against \(name)…"
            )
            let runner = SmokeRunner(
                smoke: smoke, baseURL: target.url, directory: spec.directory, secrets: secrets,
                certificateDays: { host, port in
                    await SmokeRunner.certificateDays(
                        host: host, port: port, trustRoots: trust.trustRoots, insecure: trust.isInsecure)
                })
            runners.append(RunnerResult(feeds: nil, checks: await runner.run(session: session)))
        }
        if parts.contains(.dependencies), !spec.dependencies.isEmpty {
            progress("checking \(Format.count(spec.dependencies.count, "dependency", "dependencies"))…")
            var prober = DependencyProber()
            prober.directory = spec.directory
            prober.secrets = secrets.all
            runners.append(RunnerResult(feeds: nil, checks: await prober.run(spec.dependencies)))
        }
        if parts.contains(.parity), spec.parity != nil {
            progress("comparing environments…")
            runners.append(
                RunnerResult(feeds: .environmentParity, checks: await ParityRunner(spec: spec).run(session: session)))
        }
        if parts.contains(.observability), let observability = spec.observability, let target {
            var runner = ObservabilityRunner(
                observability: observability, baseURL: target.url, directory: spec.directory)
            runner.progress = progress
            runner.trust = trust
            runner.environment = environment
            runners.append(RunnerResult(feeds: .monitoringHooks, checks: await runner.run(session: session)))
        }
        await session.shutdown()
        return (runners, evidence)
    }
}
