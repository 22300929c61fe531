// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Greenlight",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "greenlight", targets: ["greenlight"]),
        .library(name: "GreenlightCore", targets: ["GreenlightCore"]),
        .library(name: "GreenlightReports", targets: ["GreenlightReports"]),
        .library(name: "GreenlightProbes", targets: ["GreenlightProbes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(
            name: "GreenlightCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "GreenlightReports", dependencies: ["GreenlightCore"]),
        .target(name: "GreenlightProbes", dependencies: ["GreenlightCore"]),
        .executableTarget(
            name: "greenlight",
            dependencies: [
                "GreenlightCore", "GreenlightReports", "GreenlightProbes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GreenlightCoreTests", dependencies: ["GreenlightCore"]),
        .testTarget(name: "GreenlightReportsTests", dependencies: ["GreenlightReports", "GreenlightCore"]),
        .testTarget(name: "GreenlightProbesTests", dependencies: ["GreenlightProbes", "GreenlightCore"]),
        .testTarget(name: "GreenlightCLITests", dependencies: ["greenlight", "GreenlightCore"]),
    ]
)
