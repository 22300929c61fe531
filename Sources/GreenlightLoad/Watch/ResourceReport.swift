import GreenlightCore

/// What a ``ResourceWatcher`` saw of its target over a load test.
public struct ResourceReport: Codable, Sendable, Hashable {
    /// The average and the peak of a measurement over the samples that have it.
    public struct Stat: Codable, Sendable, Hashable {
        public var average: Double
        public var peak: Double

        public init(average: Double, peak: Double) {
            self.average = average
            self.peak = peak
        }

        init?(_ values: [Double]) {
            guard let peak = values.max() else { return nil }
            self.init(average: values.reduce(0, +) / Double(values.count), peak: peak)
        }
    }

    /// What was watched: `process nginx (pid 123)`, `pid 123 (nginx)` or `prometheus http://…`.
    public var source: String
    public var samples: [ResourceSample]
    /// What went wrong while watching, each message once with how often it happened: an unreadable
    /// file, a failed query, the process exiting.
    public var problems: [String]
    /// CPU in percent of one core.
    public var cpu: Stat?
    /// Resident memory in bytes.
    public var rss: Stat?
    public var openFiles: Stat?
    public var threads: Stat?
    /// Bytes read from storage over the whole watch.
    public var readBytes: Double?
    /// Bytes written to storage over the whole watch.
    public var writeBytes: Double?

    /// A report whose statistics are worked out from the samples.
    public init(source: String, samples: [ResourceSample], problems: [String]) {
        self.source = source
        self.samples = samples
        self.problems = problems
        cpu = Stat(samples.compactMap(\.cpu))
        rss = Stat(samples.compactMap(\.rss))
        openFiles = Stat(samples.compactMap(\.openFiles))
        threads = Stat(samples.compactMap(\.threads))
        readBytes = samples.compactMap(\.readBytes).max()
        writeBytes = samples.compactMap(\.writeBytes).max()
    }

    /// The measurement a target threshold compares, or nil when it was not measured or the metric
    /// is not about the target.
    ///
    /// - `target.cpu`: the average CPU in percent of one core, over the samples.
    /// - `target.rss`: the peak resident memory in bytes.
    /// - `target.open_files`, `target.threads`: the peak.
    /// - `target.read_bytes`, `target.write_bytes`: the bytes read or written during the watch.
    public func value(for metric: Threshold.Metric) -> Double? {
        switch metric {
        case .targetCPU: return cpu?.average
        case .targetRSS: return rss?.peak
        case .targetOpenFiles: return openFiles?.peak
        case .targetThreads: return threads?.peak
        case .targetReadBytes: return readBytes
        case .targetWriteBytes: return writeBytes
        case .latencyPercentile, .latencyMean, .errorRate, .requestsPerSecond, .droppedIterations: return nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case source, samples, problems, cpu, rss, threads
        case openFiles = "open_files"
        case readBytes = "read_bytes"
        case writeBytes = "write_bytes"
    }
}
