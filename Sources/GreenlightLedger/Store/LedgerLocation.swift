import Foundation

// Placeholder until the PostgreSQL store lands (branch wt-pg replaces this file).
public struct LedgerLocation: Sendable, CustomStringConvertible {
    public var path: String
    public init(_ text: String) throws { path = text }
    public func open() async throws -> any LedgerStore { try SQLiteLedgerStore(path: path) }
    public var description: String { path }
}

extension LedgerStore {
    public func close() async {}
}
