import Testing
@testable import RolecallKit

@Suite("YAML reader")
struct YAMLReaderTests {
    private func read(_ text: String) throws -> [YAMLDocument] {
        try YAMLReader().read(Array(text.utf8), file: "f.yaml").get()
    }

    @Test func keepsLineAndColumnOfEveryNode() throws {
        let docs = try read("org: acme\nmembers:\n  - email: a@b.co\n    role: admin\n")
        let root = try #require(docs.first?.root)
        guard case let .mapping(pairs) = root.content else { Issue.record("not a mapping"); return }
        #expect(pairs.map { $0.key.scalarText } == ["org", "members"])
        #expect(pairs[0].value.mark == YAMLMark(line: 1, column: 6))
        guard case let .sequence(items) = pairs[1].value.content, case let .mapping(member) = items[0].content else {
            Issue.record("members is not a list of mappings"); return
        }
        #expect(items[0].mark == YAMLMark(line: 3, column: 5))
        #expect(member[1].key.mark == YAMLMark(line: 4, column: 5))
        #expect(member[1].value.mark == YAMLMark(line: 4, column: 11))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let docs = try read("name: \"Zoë\"\nx: [ä, b]\n")
        guard case let .mapping(pairs) = try #require(docs.first?.root).content,
              case let .sequence(items) = pairs[1].value.content else { Issue.record("shape"); return }
        #expect(items[1].mark == YAMLMark(line: 2, column: 8))
    }

    @Test func scalarsStayStringsAndRememberQuoting() throws {
        let docs = try read("a: no\nb: 'true'\nc: true\nd: 0755\ne:\n")
        guard case let .mapping(pairs) = try #require(docs.first?.root).content else { Issue.record("shape"); return }
        let values = pairs.map { pair -> String in
            if case let .scalar(text, plain) = pair.value.content { return "\(text)|\(plain)" }
            return "?"
        }
        #expect(values == ["no|true", "true|false", "true|true", "0755|true", "|true"])
        #expect(pairs[4].value.isNull)
    }

    @Test func readsSeveralDocumentsAndEmptyOnes() throws {
        let docs = try read("org: a\n---\n# only a comment\n---\norg: b\n")
        #expect(docs.count == 3)
        #expect(docs[1].root?.isNull == true)
        #expect(docs[2].mark.line == 4)
    }

    @Test func emptyFileHasNoDocuments() throws {
        #expect(try read("").isEmpty)
        #expect(try read("# nothing\n").isEmpty)
    }

    @Test func duplicateKeysNameBothPlaces() throws {
        let error = try #require(yamlError("org: a\nmembers:\n  - email: x@y.co\n    email: z@y.co\n"))
        #expect(error.code == .duplicateKey)
        #expect(error.message == "duplicate key 'email'")
        #expect(error.location == SourceLocation(file: "f.yaml", line: 4, column: 5))
        #expect(error.notes == [DiagnosticNote("first defined here", at: SourceLocation(file: "f.yaml", line: 3, column: 5))])
    }

    @Test func duplicateKeysInLargeMappingsAreFound() throws {
        var text = ""
        for i in 0..<40 { text += "k\(i): v\n" }
        text += "k7: again\n"
        let error = try #require(yamlError(text))
        #expect(error.code == .duplicateKey)
        #expect(error.message == "duplicate key 'k7'")
        #expect(error.location.line == 41)
        #expect(error.notes.first?.location?.line == 8)
    }

    @Test func siblingMappingsDoNotShareKeys() throws {
        // Large sibling mappings in a list, each with the same keys, and a duplicate only in the last.
        func mapping(_ extra: String = "") -> String {
            "  - " + (0..<20).map { "k\($0): v\($0)" }.joined(separator: "\n    ") + extra + "\n"
        }
        let docs = try read("list:\n" + mapping() + mapping() + "  - [a, [b, {c: d}], e]\n")
        guard case let .mapping(top)? = docs.first?.root?.content, case let .sequence(items) = top[0].value.content else {
            Issue.record("not a mapping holding a list")
            return
        }
        #expect(items.count == 3)
        for item in items.prefix(2) {
            guard case let .mapping(pairs) = item.content else { continue }
            #expect(pairs.map { $0.key.scalarText ?? "" } == (0..<20).map { "k\($0)" })
            #expect(pairs.map { $0.value.scalarText ?? "" } == (0..<20).map { "v\($0)" })
        }
        guard case let .sequence(flow) = items[2].content, case let .sequence(inner) = flow[1].content,
              case let .mapping(innermost) = inner[1].content else {
            Issue.record("nested flow collections lost their shape")
            return
        }
        #expect(flow.map { $0.scalarText } == ["a", nil, "e"])
        #expect(innermost.first?.key.scalarText == "c" && innermost.first?.value.scalarText == "d")

        let error = try #require(yamlError("list:\n" + mapping() + mapping("\n    k3: again")))
        #expect(error.code == .duplicateKey)
        #expect(error.message == "duplicate key 'k3'")
        #expect(error.location.line == 42)
        #expect(error.notes.first?.location?.line == 25)
    }

    @Test func quotedAndPlainKeysAreTheSameKey() throws {
        let error = try #require(yamlError("org: a\n\"org\": b\n"))
        #expect(error.code == .duplicateKey)
    }

    @Test func anchorsAndAliasesAreRejected() throws {
        let anchor = try #require(yamlError("a: &x [1]\nb: *x\n"))
        #expect(anchor.code == .yamlAnchor)
        #expect(anchor.location.line == 1 && anchor.location.column == 4)
        let bomb = (0..<10).map { "l\($0): &l\($0) [" + String(repeating: "*l\(max(0, $0 - 1)),", count: 9) + "x]" }
        #expect(yamlError(bomb.joined(separator: "\n"))?.code == .yamlAnchor)
        #expect(yamlError("a: [1]\nb: *x\n")?.code == .yamlAlias)
    }

    @Test func tagsAreRejected() throws {
        let error = try #require(yamlError("org: !!python/object:os.system x\n"))
        #expect(error.code == .yamlTag)
        #expect(error.message == "tags are not supported in manifests (found '!!python/object:os.system')")
        #expect(yamlError("a: !custom x\n")?.code == .yamlTag)
    }

    @Test func nestingDepthIsBounded() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = try #require(yamlError(deep))
        #expect(error.code == .nestingTooDeep)
        #expect(error.location == SourceLocation(file: "f.yaml", line: 1, column: 65))
        #expect(yamlError(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
    }

    @Test func invalidUTF8IsReportedWithItsPlace() throws {
        let error = try #require(yamlError(Array("org: a\nname: b".utf8) + [0xC3, 0x28] + Array("\n".utf8)))
        #expect(error.code == .notUTF8)
        #expect(error.message == "file is not valid UTF-8: invalid trailing UTF-8 octet (bytes 0xC3 0x28)")
        #expect(error.location.line == 2 && error.location.column == 8)
        #expect(yamlError([0x61, 0x3A, 0x20, 0xE2, 0x82])?.message == "file is not valid UTF-8: incomplete UTF-8 octet sequence (byte 0xE2)")
    }

    @Test func nulBytesAreRejected() throws {
        let error = try #require(yamlError(Array("org: a".utf8) + [0] + Array("\n".utf8)))
        #expect(error.code == .controlCharacter)
        #expect(error.message == "control character (byte 0x00) is not allowed in YAML")
        #expect(error.location.column == 7)
    }

    @Test func utf16IsRejectedAndUTF8BOMIsAccepted() throws {
        #expect(yamlError([0xFF, 0xFE, 0x6F, 0x00])?.code == .notUTF8)
        let docs = try YAMLReader().read([0xEF, 0xBB, 0xBF] + Array("org: a\nb: c\n".utf8), file: "f.yaml").get()
        guard case let .mapping(pairs) = try #require(docs.first?.root).content else { Issue.record("shape"); return }
        #expect(pairs.map(\.key.scalarText) == ["org", "b"])
        #expect(pairs[0].value.mark == YAMLMark(line: 1, column: 6))
    }

    @Test func tabsAsIndentationGetAClearMessage() throws {
        let error = try #require(yamlError("org: a\nmembers:\n\t- email: x\n"))
        #expect(error.code == .tabIndentation)
        #expect(error.location.line == 3 && error.location.column == 1)
    }

    @Test func syntaxErrorsCarryLibyamlsPlaceAndContext() throws {
        let error = try #require(yamlError("org: a\nmembers: [a, b\nteams: x\n"))
        #expect(error.code == .invalidYAML)
        #expect(error.location.line == 3)
        #expect(!error.notes.isEmpty)
    }

    @Test func hugeScalarsAreRefused() throws {
        let error = try #require(yamlError("name: " + String(repeating: "x", count: 70_000) + "\n"))
        #expect(error.code == .scalarTooLong)
        #expect(error.message == "scalar of 70000 bytes is longer than the limit of 65536 bytes")
    }

    @Test func crlfLineEndingsRead() throws {
        let docs = try read("org: a\r\nmembers:\r\n  - email: x@y.co\r\n")
        guard case let .mapping(pairs) = try #require(docs.first?.root).content else { Issue.record("shape"); return }
        #expect(pairs[1].key.mark.line == 2)
    }

    @Test func complexKeysAreRejected() throws {
        #expect(yamlError("? [a, b]\n: c\n")?.code == .nonStringKey)
    }
}
