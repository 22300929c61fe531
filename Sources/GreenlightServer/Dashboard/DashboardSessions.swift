internal import Foundation
import Synchronization

/// The dashboard's sessions: a random id (the cookie) mapped to the personal token a person pasted,
/// kept in this process's memory only (a restart ends every session). The token itself never leaves
/// the server again; each page checks it against the ledger's token records, so a revoked token ends
/// its session at the next page.
final class DashboardSessions: Sendable {
    struct Session: Sendable {
        var token: String
        /// Ties the dashboard's forms to this session: a form that changes something carries it back.
        var csrf: String
        var lastSeen: Date
    }

    static let cookieName = "greenlight_session"
    /// A session unused this long ends.
    static let idleLimit: TimeInterval = 12 * 3600

    private let sessions = Mutex<[String: Session]>([:])

    /// Starts a session for `token`; returns its id.
    func open(token: String, now: Date = Date()) -> String {
        let id = Self.randomText()
        let session = Session(token: token, csrf: Self.randomText(), lastSeen: now)
        sessions.withLock { all in
            all = all.filter { now.timeIntervalSince($0.value.lastSeen) < Self.idleLimit }
            all[id] = session
        }
        return id
    }

    /// The session `id` names, if it is still open; marks it used.
    func session(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { all in
            guard var session = all[id] else { return nil }
            guard now.timeIntervalSince(session.lastSeen) < Self.idleLimit else {
                all[id] = nil
                return nil
            }
            session.lastSeen = now
            all[id] = session
            return session
        }
    }

    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// 32 random bytes (from the system's generator), base64url.
    static func randomText() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
