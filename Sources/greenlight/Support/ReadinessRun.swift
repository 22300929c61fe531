import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightLoad
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

    /// A recorded load result (`check --load-result`) judged instead of running the load test.
    var loadResult: LoadResult?
    /// Live progress of the load test, about twice a second.
    var loadProgress: (@Sendable (LoadProgress) -> Void)?

    enum Part: CaseIterable {
        case evidence, smoke, dependencies, parity, load
    }

    func run() async throws -> Report {
        var (runners, evidence) = try await runParts()
        var timeline: LoadTimeline?
        if parts.contains(.load), let (check, series) = await runLoad() {
            runners.append(RunnerResult(feeds: .loadTesting, checks: [check]))
            timeline = series
        }
        return Gate(spec: spec, policy: policy, environment: environment).evaluate(
            runners: runners, customEvidence: evidence, loadTimeline: timeline)
    }

    /// The load test of the spec against the checked environment (or a recorded result), as the
    /// check that feeds the load-testing item; nil when the spec has no load section.
    func runLoad() async -> (CheckResult, LoadTimeline?)? {
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
            progress(
                "load test against \(name): \(LoadCommand.describe(plan))…")
            var watcher: ResourceWatcher?
            if let watch = load.watch {
                do {
                    watcher = try ResourceWatcher.start(watch)
                } catch {
                    return failed("watch: \(error)")
                }
            }
            do {
                result = try await LoadEngine(plan: plan).run(
                    watch: watcher, thresholds: load.thresholds, abortWhenHopeless: load.abortWhenHopeless,
                    progress: loadProgress)
            } catch {
                _ = await watcher?.stop()
                return failed("\(error)")
            }
        }
        let check = result.gateCheck(
            requiredRate: requiredRate, requiredSeconds: requiredSeconds, requiredModel: load.model,
            requiredUsers: load.model == .closed ? load.virtualUsers : nil)
        return (check, result.redacted(spec.redactor.redact).reportTimeline)
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
