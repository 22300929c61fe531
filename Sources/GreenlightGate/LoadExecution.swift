import GreenlightCore
import GreenlightLoad
import GreenlightProbes

/// The one way a load test runs, whoever asks (`check`, `load`, `demo`): start the target's
/// resource watcher, drive the engine, and stop the watcher however the run ends.
public enum LoadExecution {
    public enum Failure: Error, CustomStringConvertible {
        /// The watcher could not start (bad input: exit 2).
        case watch(String)
        /// The engine could not run at all, e.g. no connection could be opened (exit 1).
        case engine(String)

        public var description: String {
            switch self {
            case .watch(let reason): return "watch: \(reason)"
            case .engine(let reason): return reason
            }
        }
    }

    /// Runs `plan` to its end, or until `stop` is requested (the result then says it stopped early).
    public static func run(
        _ plan: LoadPlan, watch: WatchSpec?, thresholds: [Threshold], abortWhenHopeless: Bool,
        stop: LoadStop? = nil, progress: (@Sendable (LoadProgress) -> Void)? = nil
    ) async throws(Failure) -> LoadResult {
        var watcher: ResourceWatcher?
        if let watch {
            do {
                watcher = try ResourceWatcher.start(watch)
            } catch {
                throw .watch("\(error)")
            }
        }
        do {
            return try await LoadEngine(plan: plan).run(
                watch: watcher, thresholds: thresholds, abortWhenHopeless: abortWhenHopeless, stop: stop,
                progress: progress)
        } catch {
            _ = await watcher?.stop()
            throw .engine("\(error)")
        }
    }
}
