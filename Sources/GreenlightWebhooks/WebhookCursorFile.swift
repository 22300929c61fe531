import Foundation
import GreenlightJSON

/// The dispatcher's state file: the last ledger sequence whose events every target is done with
/// (delivered, failed or skipped), as `{"format": "greenlight-webhooks-cursor", "sequence": N}`.
struct WebhookCursorFile: Sendable {
    static let format = "greenlight-webhooks-cursor"
    let path: String

    /// The saved sequence; nil when there is no file yet. Throws for a file that is not a cursor.
    func read() throws -> Int? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw WebhookConfigurationError(
                "the webhook state file \(path) cannot be read (\(error)); remove it to start from the ledger's head")
        }
        guard value["format"] == .string(Self.format), case .int(let sequence)? = value["sequence"], sequence >= 0
        else {
            throw WebhookConfigurationError(
                "the webhook state file \(path) is not a \(Self.format) file; remove it to start from the ledger's head"
            )
        }
        return sequence
    }

    /// Writes `sequence` atomically (a temporary file renamed over the old one), so that a crash leaves
    /// the old cursor or the new one.
    func write(_ sequence: Int) throws {
        let text = JSONValue.object([("format", .string(Self.format)), ("sequence", .int(sequence))]).serialized()
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((text + "\n").utf8).write(to: url, options: .atomic)
    }
}
