import Foundation
import Testing
@testable import RolecallKit

/// A file read in pieces (`FilePieces`) must read exactly as the whole file: the same declarations,
/// the same diagnostics at the same lines, the same YAML errors. Pieces are made small here, so that
/// every text below is cut in many places.
@Suite("File pieces")
struct FilePiecesTests {
    private static let now = Date(timeIntervalSince1970: 1_790_000_000)

    private func member(_ n: Int, indent: String = "  ") -> String {
        var lines = ["\(indent)- email: user\(n)@example.com", "\(indent)  name: User \(n)", "\(indent)  role: member"]
        if n % 3 == 0 { lines.append("\(indent)  expires: 2027-01-0\(n % 9 + 1)") }
        if n % 4 == 0 { lines += ["\(indent)  reason: |", "\(indent)    Approved.", "\(indent)    - not an item, part of the reason"] }
        if n % 5 == 0 { lines.append("\(indent)  # - a comment that looks like an item") }
        if n % 7 == 0 { lines.append("\(indent)  sso: true") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func members(_ range: Range<Int>, indent: String = "  ") -> String {
        range.map { member($0, indent: indent) }.joined()
    }

    /// Texts that read in pieces (the pieces join) and texts where they must not (the whole file is
    /// read again); all must read as the whole file does.
    private var joining: [(String, String)] {
        [
            ("members.yaml", "org: acme\nmembers:\n" + members(0..<60)),
            // Over 64 KiB: the pieces are read on several threads (smaller texts on one).
            ("large.yaml", "org: acme\nmembers:\n" + members(0..<1_200)),
            ("indentless.yaml", "org: acme\nmembers:\n" + members(0..<60, indent: "")),
            ("comment-after-key.yaml", "org: acme\nmembers:   # everyone\n" + members(0..<40)),
            ("crlf.yaml", ("org: acme\nmembers:\n" + members(0..<40)).replacingOccurrences(of: "\n", with: "\r\n")),
            ("mistakes.yaml", "org: acme\nmembers:\n" + members(0..<30)
                + "  - email: not-an-address\n    role: member\n    colour: blue\n" + members(30..<60)
                + "  - email: user1@example.com\n    role: member\n" + members(60..<70)),
            ("teams.yaml", "org: acme\nteams:\n" + (0..<30).map { t in
                "  - name: team-\(t)\n    members:\n" + (0..<4).map { "      - user\(t * 4 + $0)@example.com\n" }.joined()
                    + "    roles:\n      - role: viewer\n        app: app-\(t % 3)\n"
            }.joined()),
        ]
    }

    private var notJoining: [(String, String)] {
        [
            // Most of the file is a quoted scalar whose lines look like items: some cut falls in it.
            ("quoted.yaml", "org: acme\nmembers:\n" + members(0..<10)
                + "  - email: q@example.com\n    role: member\n    reason: \"spans\n"
                + (0..<60).map { "  - email: fake\($0)@example.com\n" }.joined() + "  lines\"\n" + members(10..<20)),
            ("duplicate-key.yaml", "org: acme\nmembers:\n" + members(0..<40)
                + "  - email: dup@example.com\n    email: dup@example.com\n" + members(40..<50)),
            ("more-keys.yaml", "org: acme\nmembers:\n" + members(0..<30) + "grants:\n" + (0..<30).map {
                "  - member: user\($0)@example.com\n    role: viewer\n    app: app-1\n"
            }.joined()),
            ("documents.yaml", "org: acme\nmembers:\n" + members(0..<25) + "---\norg: other\nmembers:\n" + members(25..<50)),
            ("broken.yaml", "org: acme\nmembers:\n" + members(0..<40) + "  - email: [unclosed\n" + members(40..<60)),
            ("tab.yaml", "org: acme\nmembers:\n" + members(0..<40) + "  - email: t@example.com\n\trole: member\n" + members(40..<50)),
            ("nested-deeper.yaml", "org: acme\nroles:\n  - name: custom\n    scope: org\n    permissions:\n"
                + (0..<200).map { "      - perm.\($0)\n" }.joined()),
        ]
    }

    private func outcome(_ file: (String, String), pieceSize: Int, threads: Int) -> String {
        var loader = ManifestLoader(now: Self.now)
        loader.pieceSize = pieceSize
        loader.threads = threads
        let source = loader.read(files: [(path: file.0, bytes: Array(file.1.utf8))])
        let result = Validation.validate(source, now: Self.now)
        return "\(source.isComplete) \(source.diagnostics) \(source.omitted) \(source.declarations) \(result.diagnostics)"
    }

    @Test func piecesReadAsTheWholeFile() {
        for file in joining + notJoining {
            let whole = outcome(file, pieceSize: Int.max / 4, threads: 1)
            for (pieceSize, threads) in [(64, 2), (100, 3), (150, 4), (64, 8), (16, 13), (8, 32)] {
                #expect(outcome(file, pieceSize: pieceSize, threads: threads) == whole, "\(file.0), pieces of \(pieceSize)")
            }
        }
    }

    /// The texts that should join do, so the test above compares pieces and not a second whole read;
    /// the others do not, cut in 32 places.
    @Test func wellFormedListsJoinAndOthersDoNot() throws {
        let loader = ManifestLoader(now: Self.now)
        for (file, text) in joining + notJoining {
            let bytes = Array(text.utf8)
            let cuts = try #require(FilePieces.cuts(in: bytes, count: 32), "\(file)")
            #expect(cuts.offsets.count > 8, "\(file)")
            let starts = [0] + cuts.offsets
            var pieces = starts.indices.map { n in
                loader.readPiece(bytes, file: file, from: starts[n], to: n + 1 < starts.count ? starts[n + 1] : nil)
            }
            let joined = FilePieces.join(&pieces, indent: cuts.indent)
            let shouldJoin = joining.contains { $0.0 == file }
            #expect((joined != nil) == shouldJoin, "\(file)")
        }
    }

    @Test func cutsAreItemLinesOfOneIndentation() throws {
        let text = Array(("org: acme\nmembers:\n" + members(0..<40)).utf8)
        let cuts = try #require(FilePieces.cuts(in: text, count: 5))
        #expect(cuts.indent == 2)
        #expect(cuts.offsets.count == 4)
        #expect(cuts.offsets == cuts.offsets.sorted())
        for offset in cuts.offsets {
            #expect(text[offset - 1] == 0x0A)
            #expect(Array(text[offset..<offset + 4]) == Array("  - ".utf8))
        }
        #expect(FilePieces.cuts(in: Array("org: acme\nsettings:\n  catalog: logrocket\n".utf8), count: 2) == nil)
    }

    @Test func contextNamesTheListAndTheLine() {
        let text = Array("org: acme\n# people\nmembers: # all\n  - email: a@example.com\n\n  - email: b@example.com\n".utf8)
        let cut = text.count - "  - email: b@example.com\n".count
        let context = FilePieces.context(before: cut, in: text)
        #expect(context.key == "members")
        #expect(context.line == 6)
        let quoted = Array("\"members\":\n  - email: a@example.com\n  - email: b@example.com\n".utf8)
        #expect(FilePieces.context(before: quoted.count - "  - email: b@example.com\n".count, in: quoted).key == nil)
    }

    @Test func pieceCountFollowsSizeAndThreads() {
        let mib = 1 << 20
        #expect(FilePieces.count(size: 8 * mib, total: 13 * mib, threads: 1) == 1)
        #expect(FilePieces.count(size: mib, total: 13 * mib, threads: 2) == 1)
        #expect(FilePieces.count(size: 8 * mib, total: 13 * mib, threads: 2) == 3)
        #expect(FilePieces.count(size: 3 * mib, total: 3 * mib, threads: 8) == 3)
    }

    /// More diagnostics than one run lists: the pieces' are kept and counted as one sink would.
    @Test func diagnosticLimitCountsAcrossPieces() {
        let text = "org: acme\nmembers:\n" + (0..<2_500).map { "  - email: bad\($0)\n    role: member\n" }.joined()
        let whole = outcome(("many.yaml", text), pieceSize: Int.max / 4, threads: 1)
        #expect(text.utf8.count > 1 << 16)
        #expect(whole.contains("OmittedDiagnostics(errors: 1500"))
        #expect(outcome(("many.yaml", text), pieceSize: 4_096, threads: 2) == whole)
    }
}
