import Foundation
import GreenlightCore
import GreenlightJSON
import GreenlightLedger

/// What people read of an event: one line for chat, a few more for a GitHub comment.
extension WebhookEvent {
    /// One line: `checkout@2.14.0: gate OPEN (engineering ✓ alice, sre ✓ bob)`.
    public var summary: String { "\(release): \(headline)" }

    /// The summary without the release.
    var headline: String {
        switch kind {
        case .reportRecorded:
            let verdict = string("verdict") ?? "?"
            var text = "readiness report \(verdict)"
            var notes: [String] = []
            if let risk = string("risk_class") { notes.append("risk \(risk)") }
            let roles = strings("required_roles")
            if !roles.isEmpty { notes.append("sign-off needed from \(roles.joined(separator: ", "))") }
            if !notes.isEmpty { text += " (\(notes.joined(separator: "; ")))" }
            return text
        case .signoffRecorded:
            let decision = string("decision") == "reject" ? "rejected" : "approved"
            var text = "\(string("signer") ?? "?") \(decision) as \(string("role") ?? "?")"
            if let comment = string("comment"), !comment.isEmpty { text += ": \(comment)" }
            return text
        case .gateDecided:
            if data["open"] == .bool(true) {
                let approvals = approvalList.map { "\($0.role) ✓ \($0.signer)" }
                return approvals.isEmpty ? "gate OPEN" : "gate OPEN (\(approvals.joined(separator: ", ")))"
            }
            let missing = strings("missing")
            return missing.isEmpty ? "gate CLOSED" : "gate CLOSED (\(missing.joined(separator: "; ")))"
        case .rolloutStep:
            return "canary step to \(percent("to")) (from \(percent("from")))"
        case .rolloutRollback:
            var text = "canary ROLLED BACK from \(percent("from")) to \(percent("to"))"
            if let reason = string("reason"), !reason.isEmpty { text += ": \(reason)" }
            return text
        case .rolloutPromoted:
            return "canary PROMOTED at \(percent("to"))"
        }
    }

    /// The facts under the headline, as `name: value` pairs, for a comment or a message's context.
    var facts: [(String, String)] {
        var facts: [(String, String)] = []
        switch kind {
        case .reportRecorded:
            if let digest = string("digest") { facts.append(("report", digest)) }
            if let author = string("author") { facts.append(("author", author)) }
            if case .array(let waivers)? = data["waivers"], !waivers.isEmpty {
                facts.append(("waivers", Format.count(waivers.count, "waiver")))
            }
        case .signoffRecorded:
            if let digest = string("report_digest") { facts.append(("report", digest)) }
        case .gateDecided:
            if let digest = string("report_digest") { facts.append(("report", digest)) }
            if let by = string("by") { facts.append(("asked by", by)) }
        case .rolloutStep, .rolloutRollback, .rolloutPromoted:
            if let by = string("by") { facts.append(("by", by)) }
            if kind != .rolloutRollback, let reason = string("reason"), !reason.isEmpty {
                facts.append(("reason", reason))
            }
        }
        if let ticket { facts.append(("ticket", ticket)) }
        facts.append(("ledger record", "\(sequence), \(LedgerTime.string(time))"))
        return facts
    }

    /// The approvals a gate record counted.
    var approvalList: [(role: String, signer: String)] {
        guard case .array(let items)? = data["approvals"] else { return [] }
        return items.compactMap {
            guard case .string(let role)? = $0["role"], case .string(let signer)? = $0["signer"] else { return nil }
            return (role, signer)
        }
    }

    func string(_ name: String) -> String? {
        if case .string(let text)? = data[name] { return text }
        return nil
    }

    func strings(_ name: String) -> [String] {
        guard case .array(let items)? = data[name] else { return [] }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    /// A weight of the payload: `25 %`, `0.5 %`.
    func percent(_ name: String) -> String {
        switch data[name] {
        case .int(let value)?: return Format.number(Double(value)) + " %"
        case .double(let value)?: return Format.number(value) + " %"
        default: return "? %"
        }
    }
}
