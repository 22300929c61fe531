import Foundation

/// A new, empty folder under the temporary directory, with a unique name; ``remove()`` deletes it.
public struct TemporaryFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates the folder, named `prefix` followed by a UUID.
    public init(_ prefix: String = "greenlight-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The folder's path.
    public var path: String { url.path }

    /// The URL of `name` inside the folder.
    public func appending(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` to `name` inside the folder and returns its URL.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> URL {
        let file = appending(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Deletes the folder and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a new temporary folder, which is deleted afterwards, whatever happens.
public func withTemporaryFolder<T>(_ prefix: String = "greenlight-test", _ body: (TemporaryFolder) throws -> T) throws
    -> T
{
    let folder = try TemporaryFolder(prefix)
    defer { folder.remove() }
    return try body(folder)
}

/// Runs async `body` with a new temporary folder, which is deleted afterwards, whatever happens.
public func withTemporaryFolder<T>(
    _ prefix: String = "greenlight-test", _ body: (TemporaryFolder) async throws -> T
) async throws -> T {
    let folder = try TemporaryFolder(prefix)
    defer { folder.remove() }
    return try await body(folder)
}
