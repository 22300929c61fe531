// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Greenlight",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "greenlight", targets: ["greenlight"]),
        .library(name: "GreenlightCore", targets: ["GreenlightCore"]),
        .library(name: "GreenlightJSON", targets: ["GreenlightJSON"]),
        .library(name: "GreenlightReports", targets: ["GreenlightReports"]),
        .library(name: "GreenlightHTTP", targets: ["GreenlightHTTP"]),
        .library(name: "GreenlightProbes", targets: ["GreenlightProbes"]),
        .library(name: "GreenlightDemo", targets: ["GreenlightDemo"]),
        .library(name: "GreenlightLoad", targets: ["GreenlightLoad"]),
        .library(name: "GreenlightObserve", targets: ["GreenlightObserve"]),
        .library(name: "GreenlightLedger", targets: ["GreenlightLedger"]),
        .library(name: "GreenlightGate", targets: ["GreenlightGate"]),
        .library(name: "GreenlightCanary", targets: ["GreenlightCanary"]),
        .library(name: "GreenlightServer", targets: ["GreenlightServer"]),
        .library(name: "GreenlightWebhooks", targets: ["GreenlightWebhooks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .target(name: "GreenlightJSON"),
        // epoll for the canary router's own event loop (Linux; empty elsewhere).
        .target(name: "CGreenlightEpoll"),
        .target(
            name: "GreenlightCore",
            dependencies: [
                "GreenlightJSON",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "GreenlightReports", dependencies: ["GreenlightCore"]),
        .target(
            name: "GreenlightHTTP",
            dependencies: [
                "GreenlightCore", "GreenlightJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ]
        ),
        .target(
            name: "GreenlightProbes",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GreenlightLoad",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Test-only: counts malloc calls per thread for the load engine's allocation test; it lives under
        // Tests/ and only GreenlightLoadTests links it.
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        .target(
            name: "GreenlightDemo",
            dependencies: [
                "GreenlightJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GreenlightObserve",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightHTTP", "GreenlightProbes",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GreenlightLedger",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightHTTP",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The canary: the sticky weighted router (Router/) and feature flags served over OFREP (Flags/);
        // the judge and the rollout controller come next.
        .target(
            name: "GreenlightCanary",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightHTTP", "GreenlightLedger", "CGreenlightEpoll",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Outgoing webhooks: tails the ledger and posts its events (JSON signed as Standard Webhooks, Slack,
        // GitHub comments).
        .target(
            name: "GreenlightWebhooks",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightLedger", "GreenlightHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GreenlightGate",
            dependencies: [
                "GreenlightCore", "GreenlightHTTP", "GreenlightProbes", "GreenlightLoad", "GreenlightDemo",
                "GreenlightObserve", "GreenlightLedger", "GreenlightCanary",
            ]
        ),
        // The team server (`greenlight serve`): the REST API of docs/openapi.yaml (its code generated once
        // into Generated/ by scripts/generate-openapi), tokens and roles, OFREP, the Alertmanager receiver,
        // /metrics, JSON logs, on Hummingbird; the dashboard's pages (Dashboard/, swift-mustache).
        .target(
            name: "GreenlightServer",
            dependencies: [
                "GreenlightCore", "GreenlightJSON", "GreenlightHTTP", "GreenlightLedger", "GreenlightCanary",
                "GreenlightObserve", "GreenlightWebhooks", "GreenlightReports",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["openapi-generator-config.yaml"]
        ),
        .executableTarget(
            name: "greenlight",
            dependencies: [
                "GreenlightCore", "GreenlightReports", "GreenlightGate", "GreenlightDemo", "GreenlightLoad",
                "GreenlightProbes", "GreenlightLedger", "GreenlightCanary", "GreenlightServer", "GreenlightWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks/exposition-bench.sh: times the exposition parser on a large input, built in release.
        .executableTarget(
            name: "exposition-bench", dependencies: ["GreenlightObserve"], path: "Benchmarks/exposition-bench"),
        // Benchmarks/ledger-bench.sh: durable appends per second (SQLite, PostgreSQL) and verify of 100,000
        // records; `ledger-bench burst` is the ledger tests' child process.
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "GreenlightLedger", "GreenlightCore", "GreenlightJSON",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/ledger-bench"
        ),
        // Test-only: the helpers the test targets share (loopback servers, folders, processes, specs).
        .target(
            name: "GreenlightTestSupport",
            dependencies: [
                "GreenlightCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/GreenlightTestSupport"
        ),
        .testTarget(name: "GreenlightTestSupportTests", dependencies: ["GreenlightTestSupport", "GreenlightCore"]),
        .testTarget(name: "GreenlightJSONTests", dependencies: ["GreenlightJSON", "GreenlightCore"]),
        .testTarget(
            name: "GreenlightCoreTests", dependencies: ["GreenlightCore", "GreenlightJSON", "GreenlightTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "GreenlightReportsTests",
            dependencies: ["GreenlightReports", "GreenlightCore", "GreenlightTestSupport"]
        ),
        .testTarget(
            name: "GreenlightHTTPTests",
            dependencies: ["GreenlightHTTP", "GreenlightCore", "GreenlightDemo", "GreenlightTestSupport"]
        ),
        .testTarget(
            name: "GreenlightProbesTests",
            dependencies: [
                "GreenlightProbes", "GreenlightCore", "GreenlightDemo", "GreenlightTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GreenlightDemoTests",
            dependencies: [
                "GreenlightDemo", "GreenlightJSON", "GreenlightTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "GreenlightLoadTests",
            dependencies: [
                "GreenlightLoad", "GreenlightCore", "GreenlightHTTP", "GreenlightDemo", "CAllocationCounter",
                "GreenlightTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "GreenlightObserveTests",
            dependencies: [
                "GreenlightObserve", "GreenlightCore", "GreenlightJSON", "GreenlightHTTP", "GreenlightDemo",
                "GreenlightTestSupport",
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GreenlightLedgerTests",
            dependencies: [
                "GreenlightLedger", "GreenlightCore", "GreenlightJSON", "GreenlightTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GreenlightCanaryTests",
            dependencies: [
                "GreenlightCanary", "GreenlightCore", "GreenlightJSON", "GreenlightLedger", "GreenlightDemo",
                "GreenlightTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            exclude: ["Fixtures", "Judge/Fixtures"]
        ),
        .testTarget(
            name: "GreenlightWebhooksTests",
            dependencies: [
                "GreenlightWebhooks", "GreenlightCore", "GreenlightJSON", "GreenlightLedger", "GreenlightTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GreenlightGateTests",
            dependencies: [
                "GreenlightGate", "GreenlightCore", "GreenlightDemo", "GreenlightLoad", "GreenlightLedger",
                "GreenlightTestSupport",
            ]
        ),
        .testTarget(
            name: "GreenlightServerTests",
            dependencies: [
                "greenlight", "GreenlightServer", "GreenlightWebhooks", "GreenlightLedger", "GreenlightCore",
                "GreenlightJSON",
                "GreenlightCanary",
                "GreenlightTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GreenlightCLITests", dependencies: ["greenlight", "GreenlightCore", "GreenlightTestSupport"]),
    ]
)
