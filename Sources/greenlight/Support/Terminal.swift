import Foundation
import GreenlightReports

#if canImport(Glibc)
import Glibc

private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin

private let systemWrite = Darwin.write
#endif

/// The only place that writes to the terminal.
enum Terminal {
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdinIsTTY: Bool { isatty(STDIN_FILENO) == 1 }

    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static func colorEnabled(forStderr: Bool = false) -> Bool {
        if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
        return forStderr ? stderrIsTTY : stdoutIsTTY
    }

    /// Writes a line to stdout. When stdout cannot take it (a full disk, a closed descriptor), says so
    /// on stderr and exits 1: output that was asked for and not written is a failure, never a crash.
    static func out(_ text: String) {
        if let failure = write(text.hasSuffix("\n") ? text : text + "\n", to: STDOUT_FILENO) {
            error("greenlight: cannot write to standard output: \(failure)")
            exit(ExitStatus.notReady)
        }
    }

    /// Writes a line to stderr, through the sanitiser: messages quote paths, names and values from
    /// outside (a result file, an option), and no ESC or BEL of theirs reaches the terminal. Line
    /// breaks between lines stay. If stderr cannot take it there is nowhere left to say so.
    static func error(_ text: String) {
        rendered(toStderr: TerminalText.cleanLines(text))
    }

    /// Writes text that GreenlightReports rendered (cleaned there, coloured on purpose) to stderr.
    static func rendered(toStderr text: String) {
        _ = write(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
    }

    /// A transient progress note on stderr, shown only on a terminal.
    static func progress(_ text: String) {
        guard stderrIsTTY else { return }
        _ = write("\r\u{1B}[2K\(text)", to: STDERR_FILENO)
    }

    static func clearProgress() {
        guard stderrIsTTY else { return }
        _ = write("\r\u{1B}[2K", to: STDERR_FILENO)
    }

    /// Writes all of `text`, retrying short writes and interruptions; returns why it could not.
    private static func write(_ text: String, to descriptor: Int32) -> String? {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            bytes = bytes.dropFirst(written)
        }
        return nil
    }
}
