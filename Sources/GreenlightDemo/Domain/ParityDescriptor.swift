import GreenlightJSON

/// The document `/internal/info` serves so a parity check can compare environments key by key.
enum ParityDescriptor {
    static func build(configuration: DemoShopConfiguration, host: HostEnvironment) -> JSONValue {
        var descriptor = JSONValue.object([
            ("service", .string("demoshop")),
            ("version", .string(configuration.version)),
            ("os", .object([("name", .string(host.osName)), ("version_id", .string(host.osVersionID))])),
            ("runtime", .object([("swift", .string("6"))])),
            ("config", .object([("max_connections", .int(200)), ("request_timeout_ms", .int(2000))])),
            ("feature_flags", .object([("checkout-v2", .bool(configuration.version == "v2"))])),
            ("hostname", .string(host.hostname)),
        ])
        for key in configuration.descriptor.keys.sorted() {
            descriptor.set(JSONValue(setting: configuration.descriptor[key]!), atDottedPath: key)
        }
        return descriptor
    }
}
