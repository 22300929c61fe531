import Foundation
import GreenlightJSON
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log handler that writes each event as one JSON line: `ts`, `level`, `msg`, then the metadata.
///
/// Metadata keeps its JSON type: an `Int`, `Double` or `Bool` given with `.stringConvertible` is written as a number
/// or a boolean, everything else as a string (dictionaries and arrays as objects and arrays).
struct JSONLogger: LogHandler {
    let file: JSONLineFile
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(file: JSONLineFile) {
        self.file = file
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        file.append(Self.line(for: event, handlerMetadata: metadata, at: Date()))
    }

    /// The JSON text of an event, without the line break.
    static func line(for event: LogEvent, handlerMetadata: Logger.Metadata = [:], at date: Date) -> String {
        var fields = handlerMetadata.merging(event.metadata ?? [:]) { _, new in new }
        fields["ts"] = nil
        fields["level"] = nil
        fields["msg"] = nil
        var line = "{\"ts\":"
        JSONValue.writeString(date.formatted(timestampStyle), into: &line)
        line += ",\"level\":"
        JSONValue.writeString(name(of: event.level), into: &line)
        line += ",\"msg\":"
        JSONValue.writeString(event.message.description, into: &line)
        for key in fields.keys.sorted() {
            line += ","
            JSONValue.writeString(key, into: &line)
            line += ":"
            json(fields[key]!).write(into: &line)
        }
        line += "}"
        return line
    }

    /// ISO 8601 in UTC with milliseconds, as in `2025-01-31T09:30:00.123Z`.
    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error: "error"
        case .critical: "critical"
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let int as Int: return .int(int)
            case let double as Double: return .double(double)
            case let bool as Bool: return .bool(bool)
            default: return .string(convertible.description)
            }
        case .dictionary(let members):
            return .object(members.map { ($0.key, json($0.value)) })
        case .array(let elements):
            return .array(elements.map(json))
        }
    }
}

/// A file opened for appending whole lines, shared by every request; closed when the last user lets go.
final class JSONLineFile: Sendable {
    struct OpenError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    let path: String
    private let descriptor: Int32
    private let lock = Mutex(())

    init(path: String) throws(OpenError) {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OpenError(path: path, reason: String(cString: strerror(errno)))
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Appends `line` and a line break in one write, so concurrent writers never interleave within a line.
    func append(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
