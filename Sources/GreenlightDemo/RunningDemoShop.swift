import ServiceLifecycle

/// A DemoShop started with ``DemoShop/start(_:)``; ``stop()`` shuts it down.
public struct RunningDemoShop: Sendable {
    /// The bound port (the free port chosen when the configuration asked for 0).
    public var port: Int
    /// Where to send requests, as in `http://127.0.0.1:PORT`.
    public var baseURL: String

    let handle: Handle

    init(host: String, port: Int, handle: Handle) {
        self.port = port
        self.baseURL = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.handle = handle
    }

    /// Shuts the server down gracefully and returns once it has stopped; calling it again does nothing.
    public func stop() async {
        await handle.stop()
    }

    /// The service group serving the shop and the task running it.
    final class Handle: Sendable {
        let group: ServiceGroup
        let task: Task<Void, Never>

        init(group: ServiceGroup, task: Task<Void, Never>) {
            self.group = group
            self.task = task
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            await task.value
        }
    }
}
