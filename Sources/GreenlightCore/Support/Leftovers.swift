import Synchronization

/// What a run must not leave behind when it is interrupted: the child processes it started and the
/// temporary files it made. Whoever creates one registers how to undo it and forgets it once it has
/// cleaned up itself; on SIGINT or SIGTERM the command line calls ``undoAll(then:)`` and exits.
package enum Leftovers {
    /// A registered undo, to forget once the thing is cleaned up the ordinary way.
    package struct Token: Sendable, Hashable {
        let id: Int
    }

    private struct State {
        var next = 0
        var undos: [(id: Int, undo: @Sendable () -> Void)] = []
    }

    private static let state = Mutex(State())

    /// Registers `undo` (which must not call `Leftovers`) until ``forget(_:)``.
    package static func add(_ undo: @escaping @Sendable () -> Void) -> Token {
        state.withLock { state in
            state.next += 1
            state.undos.append((state.next, undo))
            return Token(id: state.next)
        }
    }

    /// Runs `create` and registers `undo` for what it made as one step: an interrupt never falls
    /// between the two, so a child that has just been spawned is never missed. `create` must be quick.
    package static func track<T: Sendable>(
        _ create: () -> T, undo: @escaping @Sendable (T) -> Void
    ) -> (value: T, token: Token) {
        state.withLock { state in
            let value = create()
            state.next += 1
            state.undos.append((state.next, { undo(value) }))
            return (value, Token(id: state.next))
        }
    }

    /// Drops a registered undo. While ``undoAll(then:)`` runs this waits for the process to end, so
    /// nothing is undone twice.
    package static func forget(_ token: Token) {
        state.withLock { state in state.undos.removeAll { $0.id == token.id } }
    }

    /// Runs every registered undo, newest first, then `finish` (which ends the process), holding the
    /// registry all along: nothing new is tracked or forgotten meanwhile.
    package static func undoAll(then finish: () -> Never) -> Never {
        state.withLock { state -> Never in
            for entry in state.undos.reversed() { entry.undo() }
            state.undos = []
            finish()
        }
    }
}
