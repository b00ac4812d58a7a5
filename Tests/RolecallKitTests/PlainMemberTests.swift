import Foundation
import Testing
@testable import RolecallKit

/// Members written the plain way are decoded where the reader holds them (`plainMember`); every
/// other member from a tree (`member(_:)`). Both must give the same members and the same
/// diagnostics, and the plain path must take exactly the members it claims.
@Suite("Plain members")
struct PlainMemberTests {
    private static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// Items the plain path takes (block lines or one flow mapping).
    private static let plain: [[String]] = [
        ["email: a@example.com", "role: member"],
        ["email: a@example.com", "name: Ann Example", "role: admin", "sso: true"],
        ["email: Jane.Doe@Example.COM", "role: member", "sso: false", "name: ~"],
        ["email: \"q@example.com\"", "role: 'member'", "ticket: IAM-1", "reason: null"],
        ["email: e@example.com", "role: member", "expires: 2027-04-04", "ticket: IAM-3", "reason: Audit"],
        ["email: t@example.com", "role: member", "expires: 2027-04-04T17:30:00+02:00", "sso:"],
        ["role: member", "name: Zoë Ünïcode", "email: z@example.com"],
        ["{email: f@example.com, role: member, sso: true}"],
        ["email: r@example.com", "role: member", "reason: |", "  Multi-line", "  reason."],
    ]

    /// Items it leaves to the tree, each for a reason of its own.
    private static let other: [[String]] = [
        ["email: a@example.com"],
        ["role: member"],
        ["email: a@example.com", "role: ~"],
        ["email: null", "role: member"],
        ["email: not-an-address", "role: member"],
        ["email: \"\"", "role: member"],
        ["email: a@example.com", "role: member", "sso: yes"],
        ["email: a@example.com", "role: member", "sso: \"true\""],
        ["email: a@example.com", "role: member", "expires: 2027-13-01"],
        ["email: a@example.com", "role: member", "colour: blue"],
        ["email: a@example.com", "role: member", "reviewed: 2026-01-01"],
        ["email: a@example.com", "role: member", "review_every: 90d"],
        ["email: a@example.com", "role: member", "name: [a, b]"],
        ["email: a@example.com", "role: {x: y}"],
        ["email: [x@example.com]", "role: member"],
        ["{}"],
        ["just-a-string"],
    ]

    private static func text(_ items: [[String]]) -> String {
        "org: acme\nmembers:\n" + items.map { lines in
            "  - " + lines[0] + "\n" + lines.dropFirst().map { "    \($0)\n" }.joined()
        }.joined()
    }

    /// What reading `text` gives: through the list items (the reader's path) or from whole trees.
    private static func outcome(_ text: String, fromTrees: Bool) throws -> String {
        let loader = ManifestLoader(now: now)
        let bytes = Array(text.utf8)
        let source = fromTrees
            ? loader.read(documents: try YAMLReader().read(bytes, file: "m.yaml").get())
            : loader.read(files: [(path: "m.yaml", bytes: bytes)])
        let result = Validation.validate(source, now: now)
        return "\(source.diagnostics) \(source.declarations) \(result.diagnostics)"
    }

    @Test func readsAsFromTrees() throws {
        for items in Self.plain.map({ [$0] }) + Self.other.map({ [$0] }) + [Self.plain + Self.other, Self.other + Self.plain] {
            let text = Self.text(items)
            #expect(try Self.outcome(text, fromTrees: false) == Self.outcome(text, fromTrees: true), "\(text)")
        }
    }

    /// `plainMember` takes the plain items, giving what `member(_:)` gives, and nothing else; it never reports.
    @Test func takesExactlyThePlainItems() throws {
        for (items, isPlain) in [(Self.plain, true), (Self.other, false)] {
            for item in items {
                let document = try #require(try YAMLReader().read(Array(Self.text([item]).utf8), file: "m.yaml").get().first)
                guard case let .mapping(top)? = document.root?.content, case let .sequence(list) = top[1].value.content,
                      let node = list.first else {
                    Issue.record("no member item in \(item)")
                    continue
                }
                let sink = DiagnosticSink()
                let decoder = DocumentDecoder(document: document, sink: sink)
                let flat = { () -> [YAMLNode] in
                    guard case let .mapping(pairs) = node.content else { return [] }
                    return pairs.flatMap { [$0.key, $0.value] }
                }()
                let taken = flat.withUnsafeBufferPointer { decoder.plainMember($0, at: node.mark) }
                #expect(sink.diagnostics.isEmpty, "\(item)")
                if isPlain {
                    let fromTree = decoder.member(node)
                    #expect(taken != nil && taken == fromTree, "\(item)")
                    #expect(sink.diagnostics.isEmpty, "\(item)")
                } else {
                    #expect(taken == nil, "\(item)")
                }
            }
        }
    }
}
