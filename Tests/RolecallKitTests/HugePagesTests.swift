import Foundation
import Testing
@testable import RolecallKit

/// The decision to start again with glibc's huge pages (`HugePages`), and the input size it weighs.
@Suite("Huge pages")
struct HugePagesTests {
    private static let large = HugePages.minimumInputBytes
    private static let madvise = "always [madvise] never\n"

    @Test func relaunchesOnlyForALargeInputOnAKernelThatGivesHugePagesOnRequest() {
        #expect(HugePages.shouldRelaunch(transparentHugePages: Self.madvise, glibcVersion: "2.36", environment: [:], inputBytes: Self.large))
        #expect(!HugePages.shouldRelaunch(transparentHugePages: Self.madvise, glibcVersion: "2.36", environment: [:], inputBytes: Self.large - 1))
        // always: the kernel gives them without asking; never: not at all; unreadable: unknown.
        for mode in ["[always] madvise never\n", "always madvise [never]\n", "", nil] as [String?] {
            #expect(!HugePages.shouldRelaunch(transparentHugePages: mode, glibcVersion: "2.36", environment: [:], inputBytes: Self.large))
        }
    }

    @Test func aUsersTunablesAreKeptAndAProcessStartedAgainDoesNotStartAgain() {
        for value in ["", "glibc.malloc.hugetlb=1", "glibc.malloc.arena_max=2"] {
            #expect(!HugePages.shouldRelaunch(transparentHugePages: Self.madvise, glibcVersion: "2.36",
                                              environment: ["GLIBC_TUNABLES": value], inputBytes: Self.large))
        }
    }

    @Test(arguments: [("2.35", true), ("2.36", true), ("2.41", true), ("3.0", true), ("2.34", false), ("2.17", false),
                      ("1.99", false), ("", false), ("2", false), ("glibc", false)])
    func needsAGlibcThatKnowsTheSetting(_ version: String, _ expected: Bool) {
        #expect(HugePages.shouldRelaunch(transparentHugePages: Self.madvise, glibcVersion: version, environment: [:],
                                         inputBytes: Self.large) == expected)
    }

    @Test func readsTheMachinesSide() throws {
        #if canImport(Glibc)
        let version = HugePages.glibcVersion().split(separator: ".")
        #expect(version.count >= 2 && version.allSatisfy { Int($0) != nil }, "glibc's version as numbers: \(version)")
        #endif
        // Where the kernel has the file, one of its modes is the one in use.
        if let mode = HugePages.kernelMode() {
            #expect(["[always]", "[madvise]", "[never]"].contains { mode.contains($0) })
        }
    }

    @Test func inputBytesCountManifestFilesAndTheStateFileOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-hugepages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("m/sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ bytes: Int) throws {
            try Data(repeating: 0x20, count: bytes).write(to: dir.appendingPathComponent(name))
        }
        try write("m/a.yaml", 1000)
        try write("m/sub/b.yml", 234)
        try write("m/notes.txt", 5000)  // not a manifest
        try write("m/.hidden.yaml", 7000)  // skipped, as the reader skips it
        try write("state.json", 40_000)
        let m = dir.appendingPathComponent("m").path
        #expect(HugePages.inputBytes(manifests: m, stateFile: dir.appendingPathComponent("state.json").path) == 41_234)
        #expect(HugePages.inputBytes(manifests: m, stateFile: nil) == 1234)
        #expect(HugePages.inputBytes(manifests: dir.appendingPathComponent("m/a.yaml").path, stateFile: nil) == 1000)
        #expect(HugePages.inputBytes(manifests: dir.appendingPathComponent("missing").path,
                                     stateFile: dir.appendingPathComponent("missing.json").path) == 0)
        // A folder where a state file is expected counts nothing.
        #expect(HugePages.inputBytes(manifests: nil, stateFile: m) == 0)
    }
}
