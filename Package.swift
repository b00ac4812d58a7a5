// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rolecall",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rolecall", targets: ["rolecall"]),
        .library(name: "RolecallKit", targets: ["RolecallKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C layer: libyaml through pkg-config (Debian: libyaml-dev).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),

        // C layer: glibc's allocator settings (mallopt), used by the command line only.
        .systemLibrary(name: "CMalloc"),

        // Core: reading, model, validation, catalogs, rendering. Never prints, no global state.
        .target(
            name: "RolecallKit",
            dependencies: [
                "CYAML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),

        // Command line: argument parsing only, everything else is RolecallKit.
        .executableTarget(
            name: "rolecall",
            dependencies: [
                "RolecallKit",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Fuzzing: libFuzzer entry over reader, validation, planner and codecs (scripts/fuzz.sh);
        // built normally it replays inputs given as files.
        .executableTarget(
            name: "rolecall-fuzz",
            dependencies: ["RolecallKit"]
        ),

        // Tests: per-stage unit tests and golden fixtures; end-to-end tests of the built binary.
        .testTarget(
            name: "RolecallKitTests",
            dependencies: ["RolecallKit"]
        ),
        .testTarget(
            name: "RolecallCLITests",
            dependencies: ["RolecallKit"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
