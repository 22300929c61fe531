import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the machine the shop runs on, for the parity descriptor.
struct HostEnvironment: Sendable {
    /// `NAME` from `/etc/os-release`.
    var osName: String
    /// `VERSION_ID` from `/etc/os-release`.
    var osVersionID: String
    var hostname: String

    /// Reads the running machine's facts; missing ones read `unknown`.
    static func current(osReleasePath: String = "/etc/os-release") -> HostEnvironment {
        let text = (try? String(contentsOfFile: osReleasePath, encoding: .utf8)) ?? ""
        let fields = parseOSRelease(text)
        return HostEnvironment(
            osName: fields["NAME"] ?? "unknown",
            osVersionID: fields["VERSION_ID"] ?? "unknown",
            hostname: currentHostname() ?? "unknown"
        )
    }

    /// The `KEY=value` lines of an os-release file, quotes removed.
    static func parseOSRelease(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingSpaces()
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<equals])
            var value = trimmed[trimmed.index(after: equals)...]
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = value.dropFirst().dropLast()
            }
            fields[key] = String(value)
        }
        return fields
    }

    private static func currentHostname() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }
}
