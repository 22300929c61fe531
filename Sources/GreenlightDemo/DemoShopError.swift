/// Why DemoShop could not start or keep running.
public struct DemoShopError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do about it.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
