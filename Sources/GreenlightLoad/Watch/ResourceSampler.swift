import Foundation

/// A source of resource samples: a local process or Prometheus.
protocol ResourceSampler: Sendable {
    /// What is watched, for the report: `process nginx (pid 123)`.
    var source: String { get }
    /// Problems known from the start, such as a file that cannot be read.
    var notes: [String] { get }
    /// Takes a sample `t` seconds after the watch started.
    mutating func sample(at t: Double) async -> SampleStep
    /// Releases what the sampler holds.
    func close() async
}

/// What one sampling found: a sample, problems to record, and whether the target is gone.
struct SampleStep: Sendable {
    var sample: ResourceSample?
    var problems: [String] = []
    /// True when there is nothing more to sample, such as when the process has exited.
    var finished = false
}

/// Why a watch cannot start.
package struct WatchError: Error, Sendable, Hashable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
