/// One reading of the watched target's resources; a field is nil when it could not be read.
public struct ResourceSample: Codable, Sendable, Hashable {
    /// Seconds since the watch started.
    public var t: Double
    /// CPU use over the interval before this sample, in percent of one core (200 is two cores busy).
    public var cpu: Double?
    /// Resident memory in bytes.
    public var rss: Double?
    /// Bytes read from storage since the watch started (`read_bytes` of /proc/PID/io).
    public var readBytes: Double?
    /// Bytes written to storage since the watch started (`write_bytes` of /proc/PID/io).
    public var writeBytes: Double?
    public var openFiles: Double?
    public var threads: Double?

    public init(
        t: Double, cpu: Double? = nil, rss: Double? = nil, readBytes: Double? = nil, writeBytes: Double? = nil,
        openFiles: Double? = nil, threads: Double? = nil
    ) {
        self.t = t
        self.cpu = cpu
        self.rss = rss
        self.readBytes = readBytes
        self.writeBytes = writeBytes
        self.openFiles = openFiles
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case t, cpu, rss, threads
        case readBytes = "read_bytes"
        case writeBytes = "write_bytes"
        case openFiles = "open_files"
    }
}
