import GreenlightCore
import GreenlightLoad
import GreenlightProbes

/// A load test ready to run, from a spec's load section or ad hoc from one URL (`greenlight load`).
public struct LoadJob: Sendable {
    public var plan: LoadPlan
    public var watch: WatchSpec?
    public var thresholds: [Threshold]
    public var abortWhenHopeless: Bool
    /// Masks the result and every message: the spec's secrets, none for an ad-hoc run.
    public var boundary: RedactionBoundary

    public init(
        plan: LoadPlan, watch: WatchSpec? = nil, thresholds: [Threshold] = [], abortWhenHopeless: Bool = false,
        boundary: RedactionBoundary = RedactionBoundary(spec: nil)
    ) {
        self.plan = plan
        self.watch = watch
        self.thresholds = thresholds
        self.abortWhenHopeless = abortWhenHopeless
        self.boundary = boundary
    }

    /// The spec's load section against `environment` (default: staging, else the first).
    public init(spec: ReleaseSpec, environment: String?, options: LoadPlanner.Options) throws(GateError) {
        guard let load = spec.load else {
            throw GateError("\(spec.file) has no load section; add one (see docs/release-spec.md) or use --url")
        }
        guard let name = try spec.targetEnvironment(environment) else {
            throw GateError("\(spec.file) declares no environment to load")
        }
        let boundary = RedactionBoundary(spec: spec)
        let plan: LoadPlan
        do {
            plan = try LoadPlanner.plan(spec: spec, environment: name, options: options)
        } catch {
            throw GateError("\(spec.file): \(boundary.text(error.description))")
        }
        self.init(
            plan: plan, watch: load.watch, thresholds: load.thresholds, abortWhenHopeless: load.abortWhenHopeless,
            boundary: boundary)
    }

    /// Runs the test, to its end or until `stop` is requested; the result comes back masked.
    public func run(stop: LoadStop? = nil, progress: (@Sendable (LoadProgress) -> Void)? = nil) async throws
        -> LoadResult
    {
        do {
            let result = try await LoadExecution.run(
                plan, watch: watch, thresholds: thresholds, abortWhenHopeless: abortWhenHopeless, stop: stop,
                progress: progress)
            return try boundary.including(plan.secrets).value(result)
        } catch let failure as LoadExecution.Failure {
            let boundary = boundary.including(plan.secrets)
            switch failure {
            case .watch(let reason): throw LoadExecution.Failure.watch(boundary.text(reason))
            case .engine(let reason): throw LoadExecution.Failure.engine(boundary.text(reason))
            }
        }
    }
}
