// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "contact-centre",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RPCCore", targets: ["RPCCore"]),
        .library(name: "RPCTransportTCP", targets: ["RPCTransportTCP"]),
        .library(name: "CRMAPI", targets: ["CRMAPI"]),
        .library(name: "RPCBenchmarkKit", targets: ["RPCBenchmarkKit"]),
        .executable(name: "rpc-bench", targets: ["rpc-bench"]),
        .executable(name: "registry-bench", targets: ["registry-bench"]),
        .executable(name: "sms-bench", targets: ["sms-bench"]),
        .executable(name: "crm", targets: ["crm"]),
        .executable(name: "registry", targets: ["registry"]),
        .executable(name: "crm-load", targets: ["crm-load"]),
        .executable(name: "scheduling", targets: ["scheduling"]),
        .executable(name: "contacts", targets: ["contacts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // --- Wire: the only place that touches protobuf-c and C pointers ---
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        // protoc-c output, written by scripts/generate-protos; never edited by hand.
        .target(name: "CProtos", dependencies: ["CProtobufC"]),
        .target(name: "Wire", dependencies: ["CProtos", "CProtobufC"]),

        // --- RPC: a core that knows no sockets, and transports that plug into it ---
        .target(
            name: "RPCCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "RPCTransportTCP",
            dependencies: [
                "RPCCore", "Wire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "RPCTransportInProcess", dependencies: ["RPCCore"]),
        // Generated service stubs over RPCCore, the wire codecs, and the built-in services.
        .target(name: "CRMAPI", dependencies: ["RPCCore", "Wire"]),
        .target(
            name: "RPCTesting",
            dependencies: [
                "RPCCore", "RPCTransportTCP", "RPCTransportInProcess", "CRMAPI",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // --- The operators' gateway: composes the services over RPC ---
        .target(
            name: "Gateway",
            dependencies: [
                "Auth", "CRMDomain", "RPCCore", "RPCTransportTCP", "CRMAPI", "Wire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "crm",
            dependencies: [
                "Gateway", "CRMDomain", "RPCCore", "Wire", "CRMAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // --- The load tester: drives one method of one service ---
        .target(
            name: "LoadTest",
            dependencies: [
                "RPCCore", "RPCTransportTCP", "Wire", "CRMAPI", "Auth", "CRMDomain",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "crm-load",
            dependencies: [
                "LoadTest", "Gateway", "CRMAPI", "RPCCore", "RPCTransportTCP", "Wire", "Auth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // --- Benchmarks (executables that print figures; never timed tests) ---
        .target(
            name: "RPCBenchmarkKit",
            dependencies: [
                "RPCCore", "RPCTransportTCP", "CRMAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "registry-bench",
            dependencies: [
                "LoadTest", "ClientRegistry", "Auth", "CRMAPI", "RPCCore", "RPCTransportInProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sms-bench",
            dependencies: [
                "Scheduling", "CRMDomain", "Auth", "CRMAPI", "RPCCore", "RPCTesting", "Wire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "rpc-bench",
            dependencies: [
                "RPCBenchmarkKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // --- A small HTTP/1.1 server (Kannel's delivery reports, /metrics) and client (Kannel's sendsms) ---
        .target(
            name: "HTTPEndpoint",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // --- Domain facts every service shares (one rule, not three copies) ---
        .target(name: "CRMDomain", dependencies: ["Wire", "RPCCore", "CRMAPI"]),

        // --- Auth: operator roles, the signed session token, the interceptor every service runs ---
        .target(
            name: "Auth",
            dependencies: [
                "RPCCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // --- What every service executable shares for operations: flags from env, logs, metrics, backup ---
        .target(
            name: "ServiceKit",
            dependencies: [
                "RPCCore", "RPCTransportTCP", "HTTPEndpoint", "Wire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // --- The client registry: cards, edits with history, loans, operators and login ---
        .target(
            name: "ClientRegistry",
            dependencies: [
                "Auth", "CRMDomain", "RPCCore", "CRMAPI", "Wire", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "registry",
            dependencies: [
                "ClientRegistry", "CRMDomain", "ServiceKit", "Auth", "RPCCore", "RPCTransportTCP", "CRMAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "services/registry",
            exclude: ["Dockerfile", "registry.env.example"]
        ),

        // --- Scheduling: offices, visit calendars, SMS templates and the durable SMS outbox ---
        .target(
            name: "Scheduling",
            dependencies: [
                "Auth", "CRMDomain", "RPCCore", "CRMAPI", "Wire", "ServiceKit", "HTTPEndpoint",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "scheduling",
            dependencies: [
                "Scheduling", "CRMDomain", "ServiceKit", "Auth", "RPCCore", "RPCTransportTCP", "CRMAPI", "HTTPEndpoint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "services/scheduling",
            exclude: ["Dockerfile", "scheduling.env.example"]
        ),

        // --- Contacts: campaigns and scripts, call results and their rules, history, call lists, collection ---
        .target(
            name: "ContactOutcome",
            dependencies: [
                "Auth", "CRMDomain", "RPCCore", "CRMAPI", "Wire", "ServiceKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "contacts",
            dependencies: [
                "ContactOutcome", "CRMDomain", "ServiceKit", "Auth", "RPCCore", "RPCTransportTCP", "CRMAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "services/contacts",
            exclude: ["Dockerfile", "contacts.env.example"]
        ),

        // --- Tests mirror Sources; what several test targets share is in TestSupport ---
        .target(
            name: "TestSupport",
            dependencies: ["Auth", "RPCCore"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "RPCCore", "RPCTesting", "CRMAPI", "Wire"]),
        .testTarget(
            name: "ClientRegistryTests",
            dependencies: [
                "TestSupport", "ClientRegistry", "ServiceKit", "CRMDomain", "Auth", "RPCCore", "RPCTesting", "CRMAPI", "Wire",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: [
                "TestSupport", "Scheduling", "ServiceKit", "CRMDomain", "Auth", "RPCCore", "RPCTesting", "CRMAPI", "Wire", "HTTPEndpoint", "ContactOutcome", "RPCTransportTCP", "Gateway",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ContactOutcomeTests",
            dependencies: [
                "TestSupport", "ContactOutcome", "ServiceKit", "CRMDomain", "Auth", "RPCCore", "RPCTesting", "CRMAPI", "Wire",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Faults and bad input (issue 9): every method's auth, hostile text, dead services.
        .testTarget(
            name: "SecurityTests",
            dependencies: [
                "TestSupport", "ClientRegistry", "ContactOutcome", "Scheduling", "Auth", "RPCCore", "RPCTesting", "CRMAPI", "Wire",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ProcessFaultTests",
            dependencies: [
                "TestSupport", "Auth", "Gateway", "RPCCore", "RPCTransportTCP", "RPCTesting", "CRMAPI", "Wire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Operations (issue 9): flags from env, log lines, request ids across services, backup, SIGTERM.
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "TestSupport", "Gateway", "ServiceKit", "HTTPEndpoint", "Auth", "RPCCore", "RPCTesting", "RPCTransportTCP", "RPCTransportInProcess", "CRMAPI", "Wire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "RPCCore", "CRMAPI", "Wire", "ClientRegistry", "ContactOutcome", "Scheduling",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "CRMDomainTests", dependencies: ["CRMDomain", "Wire", "RPCCore"]),
        .testTarget(
            name: "HTTPEndpointTests",
            dependencies: [
                "HTTPEndpoint",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "Wire", "RPCCore", "CRMAPI", "crm",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // The screens' golden outputs, read by path (TextTableTests), not bundled.
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "LoadTestTests",
            dependencies: [
                "LoadTest", "CRMAPI", "Wire", "RPCCore", "RPCTransportTCP", "Gateway", "Auth",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "RPCCoreTests",
            dependencies: [
                "RPCCore", "RPCTransportInProcess",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "RPCTransportTCPTests",
            dependencies: [
                "RPCTransportTCP", "Wire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ]
        ),
        .testTarget(name: "RPCBenchmarkKitTests", dependencies: ["RPCBenchmarkKit"]),
        // TLS and mutual TLS on real sockets, with a CA made in the test (issue 27).
        .testTarget(
            name: "TLSTests",
            dependencies: [
                "RPCTransportTCP", "RPCCore", "CRMAPI", "Wire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RPCIntegrationTests",
            dependencies: [
                "RPCTesting", "CRMAPI", "Wire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)

// One settings list for every target.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    // The RPC's hot path crosses modules (Wire → RPCCore → transport) through generics;
    // without this they run unspecialized, looking up generic metadata on every call.
    settings.append(.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)))
    if ["RPCTransportTCP", "RPCBenchmarkKit"].contains(target.name) {
        settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    }
    // No module switches off run-time exclusivity checks: in rpc-bench's interleaved rounds
    // (release, --concurrency 64 --rounds 20) the RPC made 17 % of the raw echo's calls/s with
    // -enforce-exclusivity=unchecked on the hot-path modules and 13 % without, 95 % intervals
    // 14–24 % and 10–20 % — no difference the measurement resolves, while keeping it would
    // ship a configuration no test runs (docs/PERFORMANCE.md «What limits it»).
    target.swiftSettings = settings
    // The services' resident memory (Linux only: DT_RELR is an ELF feature): lld with packed
    // relative relocations (DT_RELR, glibc 2.36+) stores the registry's ~57,000 pointer
    // fix-ups in 13 KB instead of 1.4 MB, which the loader reads whole at start and which
    // stayed resident (docs/PERFORMANCE-HISTORY.md).
    if ["registry", "contacts", "scheduling"].contains(target.name) {
        target.linkerSettings = (target.linkerSettings ?? []) + [
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux])),
        ]
    }
}

// Fuzz targets (libFuzzer): only with CRM_FUZZ set, built by scripts/fuzz with
// libFuzzer and AddressSanitizer in their own scratch path; libFuzzer supplies `main`, so a
// plain `swift build` must not see them.
if Context.environment["CRM_FUZZ"] != nil {
    package.targets += [
        .executableTarget(
            name: "fuzz-frames",
            dependencies: [
                "RPCTransportTCP", "RPCCore", "Wire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Fuzz/fuzz-frames"
        ),
        .executableTarget(name: "fuzz-messages", dependencies: ["CRMAPI", "Wire"], path: "Fuzz/fuzz-messages"),
        .executableTarget(
            name: "fuzz-handlers",
            dependencies: ["ClientRegistry", "ContactOutcome", "Scheduling", "Auth", "CRMAPI", "RPCCore", "RPCTransportInProcess", "Wire"],
            path: "Fuzz/fuzz-handlers"
        ),
    ]
}
