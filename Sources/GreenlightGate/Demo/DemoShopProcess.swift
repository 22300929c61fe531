import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// DemoShop in a process of its own (`greenlight demo shop --port 0`), so the demo's load test can
/// watch the target's CPU, memory and I/O apart from greenlight's.
final class DemoShopProcess: Sendable {
    let process: Process
    let port: Int

    var pid: Int32 { process.processIdentifier }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the shop and waits (up to 15 s) for it to say which port it listens on.
    static func start(executable: String, arguments: [String]) throws -> DemoShopProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["demo", "shop", "--port", "0"] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "http://127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                // Keep draining the pipe so the shop never blocks writing to it.
                handle.readabilityHandler = { $0.availableData.isEmpty ? ($0.readabilityHandler = nil) : () }
                return DemoShopProcess(process: process, port: port)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw StartError(description: "DemoShop did not start: \(text.isEmpty ? "no output" : text)")
    }

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Stops the shop at once (SIGKILL: a child of Foundation's Process may have SIGTERM blocked).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
