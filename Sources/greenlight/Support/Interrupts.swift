import Dispatch
import Foundation
import GreenlightCore
import Synchronization

/// SIGINT and SIGTERM, for every command. By default a signal kills the children greenlight started,
/// removes its temporary files (everything registered with `Leftovers`) and exits 130 (SIGINT) or 143
/// (SIGTERM). A command that can wind down with a result (`load`) takes the first signal itself with
/// ``onFirstSignal(_:)``; a second signal still exits at once.
enum Interrupts {
    private struct State {
        var received: Int32?
        var count = 0
        var onFirst: (@Sendable (Int32) -> Void)?
    }

    private static let state = Mutex(State())
    /// Kept alive for as long as the process runs. Unchecked: only `install()` touches it, before any
    /// command runs.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let queue = DispatchQueue(label: "greenlight.interrupts")

    /// Takes over SIGINT and SIGTERM; returns once both are being watched.
    static func install() async {
        for signal in [SIGINT, SIGTERM] {
            // Ignored until the source is registered, so an early signal does not kill the process outright.
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler { handle(signal) }
            await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
                let once = ResumeOnce(registered)
                source.setRegistrationHandler { once.resume() }
                source.resume()
                // A source that cannot register (no signalfd) must not keep every command from running.
                queue.asyncAfter(deadline: .now() + 2) { once.resume() }
            }
            sources.append(source)
        }
    }

    /// Runs `stop` on the first signal instead of exiting (from then on ``received`` is set); a second
    /// signal exits as usual.
    static func onFirstSignal(_ stop: @escaping @Sendable (Int32) -> Void) {
        state.withLock { $0.onFirst = stop }
    }

    /// The first signal received, if any.
    static var received: Int32? { state.withLock { $0.received } }

    /// The exit status after `signal`: 128 + its number, as shells report it.
    static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    /// SIGINT or SIGTERM, by name.
    static func name(_ signal: Int32) -> String {
        signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
    }

    private static func handle(_ signal: Int32) {
        let stop = state.withLock { state -> (@Sendable (Int32) -> Void)? in
            state.count += 1
            if state.received == nil { state.received = signal }
            return state.count == 1 ? state.onFirst : nil
        }
        if let stop { return stop(signal) }
        Terminal.clearProgress()
        Terminal.error("greenlight: interrupted (\(name(signal)))")
        Leftovers.undoAll { exit(exitStatus(signal)) }
    }
}

/// Resumes a continuation the first time it is asked to, whoever asks.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>

    init(_ continuation: CheckedContinuation<Void, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume() {
        continuation.withLock { $0.take() }?.resume()
    }
}
