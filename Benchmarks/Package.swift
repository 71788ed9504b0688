// swift-tools-version:6.1
import PackageDescription

// A package of its own so the main package never builds gRPC (and BoringSSL, which
// grpc-swift-nio-transport pulls in) just to compare against it.
let package = Package(
    name: "Benchmarks",
    // grpc-swift-2's `@available(gRPCSwift 2.0, *)` means macOS 15; on Linux it is always met.
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "contact-centre", path: ".."),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "grpc-compare",
            dependencies: [
                .product(name: "RPCBenchmarkKit", package: "contact-centre"),
                .product(name: "RPCTransportTCP", package: "contact-centre"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ]
)
