// swift-tools-version:6.1
import PackageDescription

// Layout and dependency direction: see STYLE.md in shared/ and README.md.
// C targets -> PageImage -> LineSegmentation; COpenBLAS -> CRNN; GRDB -> ArchiveStore;
// everything -> OCRPipeline -> docvault (CLI) and ArchiveServer.
let package = Package(
    name: "DocVault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "docvault", targets: ["docvault"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
    ],
    targets: [
        // System libraries: module map + shim header only.
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib",
                       providers: [.apt(["libpoppler-glib-dev", "libcairo2-dev"])]),
        .systemLibrary(name: "CImageCodecs",
                       providers: [.apt(["libpng-dev", "libjpeg62-turbo-dev", "libtiff-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        .target(name: "PageImage", dependencies: ["CPoppler", "CImageCodecs"]),
        .target(name: "LineSegmentation", dependencies: ["PageImage"]),
        .target(name: "CRNN", dependencies: ["COpenBLAS"]),
        .target(name: "ArchiveStore",
                dependencies: [.product(name: "GRDB", package: "GRDB.swift"),
                               // the C API, for the FTS5 ranking function (fts5_api)
                               .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "OCRPipeline",
                dependencies: ["PageImage", "LineSegmentation", "CRNN", "ArchiveStore",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "Logging", package: "swift-log")]),
        .target(name: "ArchiveServer",
                dependencies: ["OCRPipeline", "ArchiveStore", "PageImage",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Logging", package: "swift-log")],
                resources: [.copy("Public")]),
        // Fills a synthetic 1M-line archive and measures search latency (scripts/bench-search).
        .executableTarget(name: "archive-bench", dependencies: ["ArchiveStore"]),
        .executableTarget(name: "docvault",
                          dependencies: ["OCRPipeline", "PageImage", "LineSegmentation", "CRNN",
                                         "ArchiveServer",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")]),
        // Benchmark driven by scripts/bench-recognise (timing only; not a product).
        .executableTarget(name: "docvault-bench-recognise", dependencies: ["CRNN"]),

        // Measuring tool behind scripts/eval-lines (reads PNM pages, times the segmenter).
        .executableTarget(name: "linebench", dependencies: ["LineSegmentation"], path: "scripts/linebench"),
        // Bounded mutation fuzzer behind scripts/fuzz (page decoders, search-query parser).
        .executableTarget(name: "docvault-fuzz", dependencies: ["PageImage", "LineSegmentation", "ArchiveStore"],
                          path: "scripts/fuzz"),

        // What several test targets share (running long test bodies off the cooperative pool).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PageImageTests", dependencies: ["PageImage", "CImageCodecs"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LineSegmentationTests", dependencies: ["LineSegmentation"]),
        .testTarget(name: "CRNNTests", dependencies: ["CRNN", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ArchiveStoreTests", dependencies: ["ArchiveStore", "TestSupport"]),
        .testTarget(name: "OCRPipelineTests", dependencies: ["OCRPipeline", "TestSupport"]),
        .testTarget(name: "ArchiveServerTests",
                    dependencies: ["ArchiveServer", "TestSupport",
                                   .product(name: "HummingbirdTesting", package: "hummingbird")]),
    ],
    swiftLanguageModes: [.v6]
)
