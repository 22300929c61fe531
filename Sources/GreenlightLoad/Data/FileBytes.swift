import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whole files read with POSIX calls, so that a failure says why in words (`no such file`), and
/// `/proc` files, whose size reads as zero, are read to their end.
enum FileBytes {
    /// Why a file could not be read, worded to follow "cannot read PATH: ".
    struct Failure: Error {
        var code: Int32
        var reason: String {
            switch code {
            case ENOENT: return "no such file"
            case EACCES, EPERM: return "permission denied"
            case EISDIR: return "it is a directory"
            case ESRCH: return "no such process"
            default: return String(cString: strerror(code))
            }
        }
    }

    static func contents(of path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(code: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(code: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// The text of a small file such as `/proc/PID/status`, or nil when it cannot be read.
    static func text(_ path: String) -> String? {
        (try? contents(of: path)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Where a byte sits in text: its 1-based line and column, the column counted in Unicode scalars.
struct TextPosition: Equatable {
    var line: Int
    var column: Int

    init(of offset: Int, in bytes: some Collection<UInt8>) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.line = line
        self.column = column
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil when all of it is.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> Int? {
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
