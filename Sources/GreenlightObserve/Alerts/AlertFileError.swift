import GreenlightCore

/// A rule file or an Alertmanager configuration that cannot be used, with every problem found in it,
/// each at its file:line:column.
public struct AlertFileError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    init(_ location: SourceLocation, _ message: String) {
        self.init([Diagnostic(location, "", message)])
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
