/// The load test's per-second series, carried in the report so the HTML report can chart latency
/// over time and throughput. All arrays have one entry per second of the run.
public struct LoadTimeline: Codable, Sendable, Hashable {
    /// Seconds since the start of the run.
    public var seconds: [Int]
    /// Responses completed in each second.
    public var rps: [Double]
    public var p50Ms: [Double]
    public var p99Ms: [Double]
    /// Errors of every class in each second.
    public var errors: [Double]
    /// The target rate the open model aimed at in each second, if it had one.
    public var targetRps: [Double]?
    /// What was measured: "http://127.0.0.1:8080/ · open model · 150 req/s for 5 s".
    public var title: String

    public init(
        title: String, seconds: [Int], rps: [Double], p50Ms: [Double], p99Ms: [Double], errors: [Double],
        targetRps: [Double]? = nil
    ) {
        self.title = title
        self.seconds = seconds
        self.rps = rps
        self.p50Ms = p50Ms
        self.p99Ms = p99Ms
        self.errors = errors
        self.targetRps = targetRps
    }
}
