import Synchronization

/// Signed-in sessions: opaque tokens mapped to users, the oldest forgotten past a cap so load tests cannot
/// exhaust memory.
final class Sessions: Sendable {
    private struct State: Sendable {
        var nextSequence = 1
        var secrets: [Int: (secret: String, user: String)] = [:]
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// A new session for `user`; its token has the form `<sequence>.<32 hex>`.
    func open(for user: String) -> String {
        let secret = Hex.random(byteCount: 16)
        let sequence = state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.secrets[sequence] = (secret, user)
            state.secrets[sequence - capacity] = nil
            return sequence
        }
        return "\(sequence).\(secret)"
    }

    /// The user a token belongs to, or nil for an unknown or forgotten token.
    func user(for token: String) -> String? {
        let pieces = token.split(separator: ".", maxSplits: 1)
        guard pieces.count == 2, let sequence = Int(pieces[0]) else { return nil }
        return state.withLock { state in
            guard let entry = state.secrets[sequence], entry.secret == pieces[1] else { return nil }
            return entry.user
        }
    }
}
