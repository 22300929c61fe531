import Hummingbird
import Logging

/// The DemoShop application for `configuration`, with fresh state.
///
/// `onServerRunning` receives the bound port once the server accepts connections.
func buildDemoShopApplication(
    _ configuration: DemoShopConfiguration,
    onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(DemoShopState(configuration: configuration))
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
        logger: .silent
    )
}
