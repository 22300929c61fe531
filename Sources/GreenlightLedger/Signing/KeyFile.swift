import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text form of key files and how they are created and read.
enum KeyFile {
    enum Kind: String {
        case privateKey = "PRIVATE KEY"
        case publicKey = "PUBLIC KEY"

        var begin: String { "-----BEGIN GREENLIGHT ED25519 \(rawValue)-----" }
        var end: String { "-----END GREENLIGHT ED25519 \(rawValue)-----" }
    }

    static func text(kind: Kind, name: String, bytes: Data) -> String {
        [kind.begin, "Name: \(name)", bytes.base64EncodedString(), kind.end, ""].joined(separator: "\n")
    }

    static func parse(_ text: String, kind: Kind, path: String) throws -> (name: String, bytes: Data) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard lines.first == kind.begin, lines.last == kind.end, lines.count == 4,
            lines[1].hasPrefix("Name: ")
        else {
            let other: Kind = kind == .privateKey ? .publicKey : .privateKey
            if lines.first == other.begin {
                throw KeyError("\(path) holds a \(other.rawValue.lowercased()), not a \(kind.rawValue.lowercased())")
            }
            throw KeyError(
                "\(path) is not a greenlight Ed25519 \(kind.rawValue.lowercased()) file (it must start with \(kind.begin))"
            )
        }
        guard let bytes = Data(base64Encoded: lines[2]) else {
            throw KeyError("\(path): the key line is not base64")
        }
        return (String(lines[1].dropFirst("Name: ".count)), bytes)
    }

    /// The file's text; with `privateKey`, refuses a file that group or others may read, write or
    /// run, as ssh does. The mode is checked on the descriptor that is read, not on the path.
    static func readText(path: String, privateKey: Bool = false) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KeyError("cannot read key file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw KeyError("cannot read key file \(path): \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        if privateKey, mode & 0o077 != 0 {
            throw KeyError(
                "private key \(path) is accessible by others (mode \(String(mode, radix: 8))); it must be readable by its owner only: chmod 600 \(path)"
            )
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw KeyError("cannot read key file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            guard data.count <= 65_536 else { throw KeyError("\(path) is too large to be a key file") }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Creates `path` with `mode` from the first byte (O_CREAT|O_EXCL), writes and syncs `contents`.
    static func create(path: String, mode: mode_t, contents: Data) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let reason =
                errno == EEXIST ? "it exists; greenlight never overwrites a key file" : String(cString: strerror(errno))
            throw KeyError("cannot create \(path): \(reason)")
        }
        var done = false
        defer {
            close(fd)
            // Nothing half-written is left behind.
            if !done { unlink(path) }
        }
        // The umask may have taken bits away; set exactly the mode asked for.
        guard fchmod(fd, mode) == 0 else {
            throw KeyError("cannot set the mode of \(path): \(String(cString: strerror(errno)))")
        }
        try contents.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw KeyError("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw KeyError("cannot sync \(path): \(String(cString: strerror(errno)))") }
        done = true
    }
}
