import Foundation
@testable import RolecallKit

/// Paths and helpers shared by the tests.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")
    static let examples = packageRoot.appendingPathComponent("examples")
}

/// The instant every test evaluates expiries at.
let fixedNow = parseTimestamp("2026-11-23T12:00:00Z") ?? Date(timeIntervalSince1970: 0)

/// Validates in-memory YAML files (name -> text), as if they were manifests on disk.
func validate(_ files: [(String, String)], now: Date = fixedNow) -> LoadResult {
    ManifestLoader(now: now).validate(files: files.map { (path: $0.0, bytes: Array($0.1.utf8)) })
}

/// The same, reading whole trees first and decoding them after (`ManifestLoader.validate(_:)`), the
/// way that must give the same outcome as reading list items as they come.
func validateAsTrees(_ files: [(String, String)], now: Date = fixedNow) -> LoadResult {
    let loader = ManifestLoader(now: now)
    var documents: [YAMLDocument] = []
    for (name, text) in files {
        switch loader.reader.read(Array(text.utf8), file: name) {
        case let .success(docs): documents += docs
        case let .failure(error): return LoadResult(manifest: nil, diagnostics: [error.diagnostic], files: [])
        }
    }
    return loader.validate(documents)
}

func validate(_ text: String, now: Date = fixedNow) -> LoadResult {
    validate([("m.yaml", text)], now: now)
}

/// Diagnostics as `line:column: severity: message` lines, for exact assertions.
func lines(_ result: LoadResult) -> [String] {
    result.diagnostics.map { d in
        let at = d.location.map { "\($0.line):\($0.column): " } ?? ""
        return "\(at)\(d.severity.rawValue): \(d.message)"
    }
}

/// Diagnostics as `line:column: code name` lines (`7:5: RC3101 unknown-role`): what was found and where,
/// not how the message words it.
func codes(_ result: LoadResult) -> [String] {
    result.diagnostics.map { d in (d.location.map { "\($0.line):\($0.column): " } ?? "") + d.code.label }
}

/// Reads YAML and returns the error, if any.
func yamlError(_ text: String) -> YAMLError? {
    yamlError(Array(text.utf8))
}

func yamlError(_ bytes: [UInt8]) -> YAMLError? {
    if case let .failure(error) = YAMLReader().read(bytes, file: "f.yaml") { return error }
    return nil
}
