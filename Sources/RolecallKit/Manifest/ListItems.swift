import Foundation

/// What one YAML document declares, before documents are merged.
struct DocumentDeclarations: Sendable {
    var org: Located<String>
    var settings: Settings?
    var apps: [App] = []
    var roles: [CustomRole] = []
    var members: [Member] = []
    var teams: [Team] = []
    /// Direct grants and the inline roles of teams.
    var grants: [Grant] = []
    var apiKeys: [APIKey] = []
}

/// The items of one document's top-level lists, decoded while the file was read (see `ListItems`).
struct DecodedItems: Sendable {
    var apps: [App] = []
    var roles: [CustomRole] = []
    var members: [Member] = []
    var teams: [Team] = []
    /// The roles of the teams, as grants.
    var teamGrants: [Grant] = []
    var grants: [Grant] = []
    /// What decoding the items found; kept only when the document as a whole decodes.
    var diagnostics: [Diagnostic] = []
    var omitted = OmittedDiagnostics()

    /// The items of one list read as pieces (see `FilePieces`), in order, with their diagnostics as
    /// one sink would have kept them; `parts` is left empty. Items are moved, not copied (`parts`
    /// must hold the only reference to its lists, or the first move copies a whole list).
    static func joined(_ parts: inout [DecodedItems]) -> DecodedItems {
        // Field by field: a key path into `parts[i]` copied the item, and the moved list was then shared.
        var apps: [[App]] = [], roles: [[CustomRole]] = [], members: [[Member]] = [], teams: [[Team]] = []
        var teamGrants: [[Grant]] = [], grants: [[Grant]] = []
        for index in parts.indices {
            apps.append(moveOut(&parts[index].apps))
            roles.append(moveOut(&parts[index].roles))
            members.append(moveOut(&parts[index].members))
            teams.append(moveOut(&parts[index].teams))
            teamGrants.append(moveOut(&parts[index].teamGrants))
            grants.append(moveOut(&parts[index].grants))
        }
        var result = DecodedItems(apps: concatenate(&apps), roles: concatenate(&roles), members: concatenate(&members),
                                  teams: concatenate(&teams), teamGrants: concatenate(&teamGrants), grants: concatenate(&grants))
        let sink = DiagnosticSink()
        for part in parts {
            sink.append(contentsOf: part.diagnostics)
            sink.omit(part.omitted)
        }
        result.diagnostics = sink.diagnostics
        result.omitted = sink.omitted
        parts = []
        return result
    }
}

/// Decodes the items of each document's top-level lists (apps, roles, members, teams, grants) as
/// the reader completes them, so that a large file is never held as a whole tree. The rest of a
/// document (its org, settings, any other key) is decoded from the tree when the document ends.
struct ListItems: YAMLItemConsumer {
    let file: String
    /// By document index.
    private var documents: [DecodedItems] = []
    /// Where decoding each document's items reports, by document index.
    private var sinks: [DiagnosticSink] = []
    /// The size of the file's text. In a file of 1 MiB or more, a list of members gets room for one
    /// member per 64 bytes of it when its first item comes (a member takes 70 bytes or more as
    /// written): a list grown one doubling at a time copied every member it held and touched twice
    /// the memory. Room not used is address space only (blocks that large get pages of their own,
    /// touched when written); a list that outgrows it grows as before. Measured (2026-12-01, release
    /// build, `validate` of a folder with the 100k-member file and its org, 21 alternating runs):
    /// 0.92x the median wall and CPU time, 84 MiB peak memory instead of 103. Smaller files are left
    /// to grow: there the room, carved from the heap, cost the Kubernetes org's apply 3 MiB.
    let textSize: Int

    static let reserveFrom = 1 << 20

    init(file: String, textSize: Int = 0) {
        self.file = file
        self.textSize = textSize
    }

    /// The last key offered and whether it is a list of entities: the items of one list all come
    /// with the same string, which compares equal at once (hashing it again cost more than the check).
    private var lastKey: (key: String, isList: Bool)?

    mutating func take(_ item: YAMLNode, key: String, document: Int) -> Bool {
        let isList: Bool
        if let lastKey, lastKey.key == key {
            isList = lastKey.isList
        } else {
            isList = DocumentDecoder.listKeys.contains(key)
            lastKey = (key, isList)
        }
        guard isList else { return false }
        let decoder = self.decoder(for: document, at: item.mark)
        switch key {
        case "apps": if let app = decoder.app(item) { documents[document].apps.append(app) }
        case "roles": if let role = decoder.customRole(item) { documents[document].roles.append(role) }
        case "members": if let member = decoder.member(item) { add(member, to: document) }
        case "teams":
            if let (team, grants) = decoder.team(item) {
                documents[document].teams.append(team)
                documents[document].teamGrants += grants
            }
        default: if let grant = decoder.grant(item) { documents[document].grants.append(grant) }
        }
        return true
    }

    /// A plain member is decoded where the reader holds it (`DocumentDecoder.plainMember`); any
    /// other item is left to be offered as a node.
    mutating func take(mapping pairs: UnsafeBufferPointer<YAMLNode>, at mark: YAMLMark, key: String, document: Int) -> Bool {
        guard key == "members", let member = decoder(for: document, at: mark).plainMember(pairs, at: mark) else { return false }
        add(member, to: document)
        return true
    }

    /// A decoder for an item of document `document` that starts at `mark`, reporting to the document's sink.
    private mutating func decoder(for document: Int, at mark: YAMLMark) -> DocumentDecoder {
        while documents.count <= document {
            documents.append(DecodedItems())
            sinks.append(DiagnosticSink())
        }
        return DocumentDecoder(document: YAMLDocument(file: file, root: nil, mark: mark), sink: sinks[document])
    }

    private mutating func add(_ member: consuming Member, to document: Int) {
        if documents[document].members.isEmpty, textSize >= Self.reserveFrom {
            documents[document].members.reserveCapacity(textSize / 64)
        }
        documents[document].members.append(member)
    }

    /// Moves out what was taken, by document index (documents after the last one with a list
    /// taken have none).
    mutating func removeAll() -> [DecodedItems] {
        for (index, sink) in sinks.enumerated() {
            documents[index].diagnostics = sink.diagnostics
            documents[index].omitted = sink.omitted
        }
        sinks = []
        return moveOut(&documents)
    }
}
