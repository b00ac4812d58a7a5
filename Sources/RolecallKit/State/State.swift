import Foundation

/// What rolecall last applied: every resource with its attributes, plus the bookkeeping that lets a
/// saved plan prove it was made against this exact state (lineage and serial).
public struct State: Sendable, Equatable {
    public static let formatVersion = 1

    /// Fixed when the state is first written; a plan made against another lineage is refused.
    public var lineage: String
    /// +1 on every write.
    public var serial: Int
    public var resources: ResourceTable
    /// The instant the last apply evaluated expiries at (`--now`, or the clock); nil before any. An apply
    /// evaluated earlier would re-grant access that had expired, so it is refused unless asked for.
    public var evaluatedAt: Date?

    public init(lineage: String = UUID().uuidString.lowercased(), serial: Int = 0, resources: ResourceTable = ResourceTable()) {
        self.lineage = lineage
        self.serial = serial
        self.resources = resources
    }

    /// Attributes the state records but the manifests do not declare (never a cause for a change).
    /// `remote_id` and `remote_version` are what a target reported (`AppliedResource`).
    /// `declared_at` is where the manifests declared the resource when it was last applied (`file:line:col`).
    public static let stateOnlyAttributes = ["status", "invited_at", "accepted_at", "remote_id", "remote_version", "created_at", "rotated_at",
                                             "declared_at"]

    /// Where the manifests declared a resource when it was last created or changed (state-only).
    public static let declaredAtAttribute = "declared_at"

    /// Whether `name` is one of `stateOnlyAttributes` (a scan of a few short names rather than a hash;
    /// see `sameName`).
    static func isStateOnly(_ name: String) -> Bool { stateOnlyAttributes.contains { sameName($0, name) } }

    public var organizations: [String] { Array(Set(resources.keys.map(\.org))).sorted() }

    /// Applies one change to the state (no I/O).
    public mutating func apply(_ change: Change) {
        switch change.action {
        case .create, .update:
            resources[change.id] = change.after ?? [:]
        case .delete:
            resources[change.id] = nil
        }
    }
}

// MARK: - File format

/// The state file's JSON: sections per org, keys sorted, two-space indent, one line per resource, so
/// that its git diff is readable (a changed member is a changed line).
///
/// ```json
/// {"format_version": 1, "lineage": "…", "serial": 3,
///  "orgs": {"acme": {"settings": {…}, "apps": {"production": {…}}, "members": {"jane@acme.com": {…}}, …}}}
/// ```
public enum StateCodec {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case corrupt(String)
        case newerFormat(Int)

        public var description: String {
            switch self {
            case let .corrupt(reason): return "the state file is not valid: \(reason)"
            case let .newerFormat(v):
                return "the state file has format_version \(v), newer than this rolecall understands (\(State.formatVersion)); upgrade rolecall"
            }
        }
    }

    public static func encode(_ state: State) -> Data {
        // Written directly rather than through JSONValue: one line per resource, so that a change to
        // one member is a one-line diff, and a 100k-member state is written in a fraction of the time.
        var byOrg: [String: [ResourceKind: [(key: String, attributes: Attributes)]]] = [:]
        for (id, attributes) in state.resources { byOrg[id.org, default: [:]][id.kind, default: []].append((id.key, attributes)) }
        var out = "{\n"
        if let evaluatedAt = state.evaluatedAt { out += "  \"evaluated_at\": \"\(Timestamp.format(evaluatedAt))\",\n" }
        out += "  \"format_version\": \(State.formatVersion),\n  \"lineage\": "
        out.reserveCapacity(state.resources.count * 120)
        JSONValue.quote(state.lineage, into: &out)
        out += ",\n  \"orgs\": {"
        for (o, org) in byOrg.keys.sorted(by: byteOrder).enumerated() {
            out += o == 0 ? "\n    " : ",\n    "
            JSONValue.quote(org, into: &out)
            out += ": {"
            let kinds = (byOrg[org] ?? [:]).sorted { byteOrder($0.key.section, $1.key.section) }
            for (k, (kind, entries)) in kinds.enumerated() {
                out += k == 0 ? "\n      \"" : ",\n      \""
                out += kind.section
                out += "\": "
                if kind == .settings {
                    write(entries.first?.attributes ?? [:], into: &out)
                    continue
                }
                out += "{"
                for (e, entry) in entries.sorted(by: { byteOrder($0.key, $1.key) }).enumerated() {
                    out += e == 0 ? "\n        " : ",\n        "
                    JSONValue.quote(entry.key, into: &out)
                    out += ": "
                    write(entry.attributes, into: &out)
                }
                out += "\n      }"
            }
            out += "\n    }"
        }
        out += byOrg.isEmpty ? "},\n" : "\n  },\n"
        out += "  \"serial\": \(state.serial)\n}\n"
        return Data(out.utf8)
    }

    /// `{"name": "Jane", "sso": true}` on one line, names in order.
    private static func write(_ attributes: Attributes, into out: inout String) {
        out += "{"
        for (i, (name, value)) in attributes.enumerated() {
            if i > 0 { out += ", " }
            JSONValue.quote(name, into: &out)
            out += ": "
            switch value {
            case let .string(s): JSONValue.quote(s, into: &out)
            case let .bool(b): out += b ? "true" : "false"
            case let .int(n): out += String(n)
            case let .strings(list): write(list, into: &out)
            case let .map(lists):
                out += "{"
                for (j, key) in lists.keys.sorted(by: byteOrder).enumerated() {
                    if j > 0 { out += ", " }
                    JSONValue.quote(key, into: &out)
                    out += ": "
                    write(lists[key] ?? [], into: &out)
                }
                out += "}"
            }
        }
        out += "}"
    }

    private static func write(_ list: [String], into out: inout String) {
        out += "["
        for (i, item) in list.enumerated() {
            if i > 0 { out += ", " }
            JSONValue.quote(item, into: &out)
        }
        out += "]"
    }

    public static func decode(_ data: Data) -> Result<State, Failure> {
        decode([UInt8](data))
    }

    public static func decode(_ bytes: [UInt8]) -> Result<State, Failure> {
        var reader = Reader(parser: JSONParser(bytes))
        do {
            try reader.file()
        } catch {
            return .failure(.corrupt("it is not JSON (truncated or edited by hand?): \(error)"))
        }
        if let problem = reader.topLevelProblem { return .failure(.corrupt(problem)) }
        guard case let .int(version)? = reader.top["format_version"] else { return .failure(.corrupt("format_version is missing")) }
        if version > State.formatVersion { return .failure(.newerFormat(version)) }
        guard version == State.formatVersion else { return .failure(.corrupt("unknown format_version \(version)")) }
        guard case let .string(lineage)? = reader.top["lineage"], !lineage.isEmpty else { return .failure(.corrupt("lineage is missing")) }
        guard case let .int(serial)? = reader.top["serial"], serial >= 0 else { return .failure(.corrupt("serial is missing")) }
        guard reader.sawOrgs else { return .failure(.corrupt("orgs is missing")) }
        if let problem = reader.orgsProblem { return .failure(.corrupt(problem)) }
        var evaluatedAt: Date?
        if let value = reader.top["evaluated_at"] {
            guard case let .string(text) = value, let instant = Timestamp.parse(text) else {
                return .failure(.corrupt("evaluated_at is not a timestamp"))
            }
            evaluatedAt = instant
        }
        var state = State(lineage: lineage, serial: serial, resources: reader.table())
        state.evaluatedAt = evaluatedAt
        return .success(state)
    }

    /// Reads the file in one pass straight into resources, without building a JSON tree (on the state
    /// of a 100k-member org the tree cost more than everything else a no-op plan does).
    ///
    /// A file as rolecall writes it (orgs and keys in byte order, ASCII) is read into a sorted list
    /// (see `ResourceTable`); at the first org or key out of order or not ASCII, what was read so far
    /// moves into a dictionary, and the rest of the file goes there. A resource's attributes are kept
    /// packed when they are simple (`PackedAttributes`), and read one by one otherwise.
    ///
    /// JSON syntax errors stop reading at once. A file that is JSON but not a state is read to its end,
    /// and its first problem kept, so a newer `format_version` is reported rather than a layout this
    /// version does not know.
    private struct Reader {
        var parser: JSONParser
        /// Top-level members other than `orgs`.
        var top: [String: JSONValue] = [:]
        var topLevelProblem: String?
        var sawOrgs = false
        var orgsProblem: String?
        /// Resources of the orgs read so far, in id order, while the file is in rolecall's order:
        /// one run per org and kind, put together once at the end.
        private var runs: [[ResourceTable.Element]] = []
        /// The current org's resources, per kind (sections come in name order, ids go in kind order).
        private var kinds = Array(repeating: [ResourceTable.Element](), count: ResourceKind.allCases.count)
        private var lastOrg: String?
        /// Every resource, once the file is found out of order.
        private var hashed: [ResourceID: Attributes]?
        private var scratch: [Attributes.Element] = []
        private let sections = Dictionary(uniqueKeysWithValues: ResourceKind.allCases.map { ($0.section, $0) })

        init(parser: JSONParser) {
            self.parser = parser
        }

        mutating func file() throws(JSONParser.Failure) {
            let open: Bool
            do {
                open = try parser.beginObject("the top level")
            } catch {
                _ = try parser.value()
                topLevelProblem = "the top level is not an object"
                return try end()
            }
            guard open else { return try end() }
            var seen: Set<String> = []
            repeat {
                let name = try parser.memberName()
                guard seen.insert(name).inserted else { throw parser.failure("duplicate member '\(name)'") }
                if name == "orgs" {
                    sawOrgs = true
                    try orgs()
                } else {
                    top[name] = try parser.value()
                }
            } while try !parser.endMember()
            try end()
        }

        private mutating func end() throws(JSONParser.Failure) {
            guard parser.atEnd else { throw parser.failure("unexpected text after the end of the document") }
        }

        /// The value of a member that should be an object; false (value skipped, problem kept) when it is not.
        private mutating func object(_ path: @autoclosure () -> String) throws(JSONParser.Failure) -> Bool? {
            do {
                return try parser.beginObject(path())
            } catch {
                // Not an object: keep the problem, read past the value (which throws on bad syntax).
                _ = try parser.value()
                orgsProblem = orgsProblem ?? "\(path()) is not an object"
                return nil
            }
        }

        private mutating func orgs() throws(JSONParser.Failure) {
            guard let open = try object("orgs"), open else { return }
            var seen: Set<String> = []
            repeat {
                let org = try parser.memberName()
                guard seen.insert(org).inserted else { throw parser.failure("duplicate member '\(org)'") }
                if hashed == nil, !org.isASCII || lastOrg.map({ compareBytes($0, org) >= 0 }) == true { unsort() }
                lastOrg = org
                try sections(of: org)
                if hashed == nil { endOrg() }
            } while try !parser.endMember()
        }

        /// Keeps the org's resources as runs, in kind order.
        private mutating func endOrg() {
            for k in kinds.indices where !kinds[k].isEmpty {
                var run: [ResourceTable.Element] = []
                swap(&run, &kinds[k])
                runs.append(run)
            }
        }

        /// The file is not in rolecall's order: what was read so far moves into a dictionary.
        private mutating func unsort() {
            var table: [ResourceID: Attributes] = [:]
            table.reserveCapacity(runs.reduce(0) { $0 + $1.count } + kinds.reduce(0) { $0 + $1.count })
            for run in runs { for (id, attributes) in run { table[id] = attributes } }
            for kind in kinds { for (id, attributes) in kind { table[id] = attributes } }
            runs = []
            kinds = kinds.map { _ in [] }
            hashed = table
        }

        /// The resources read (the runs are used up).
        mutating func table() -> ResourceTable {
            if let hashed { return ResourceTable(hashed) }
            return ResourceTable(ascending: concatenate(&runs))
        }

        private mutating func sections(of org: String) throws(JSONParser.Failure) {
            guard let open = try object("orgs.\(org)"), open else { return }
            var seen: Set<String> = []
            repeat {
                let section = try parser.memberName()
                guard seen.insert(section).inserted else { throw parser.failure("duplicate member '\(section)'") }
                guard let kind = sections[section] else {
                    _ = try parser.value()
                    orgsProblem = orgsProblem ?? "orgs.\(org).\(section) is not a known section"
                    continue
                }
                if kind == .settings {
                    try resource(ResourceID(org: org, kind: .settings, key: ""))
                    continue
                }
                guard let open = try object("orgs.\(org).\(section)"), open else { continue }
                repeat {
                    let key = try parser.memberName()
                    try resource(ResourceID(org: org, kind: kind, key: key))
                } while try !parser.endMember()
            } while try !parser.endMember()
        }

        private mutating func resource(_ id: ResourceID) throws(JSONParser.Failure) {
            // Where it is, for messages; only worked out for one.
            func path() -> String { "orgs.\(id.org).\(id.kind.section)" + (id.kind == .settings ? "" : ".\(id.key)") }
            guard let attributes = try attributes(path()) else {
                orgsProblem = orgsProblem ?? "\(path()) is not valid"
                return
            }
            let order = id.kind.order
            if hashed == nil {
                let previous = kinds[order].last.map { compareBytes($0.key.key, id.key) }
                if previous == 0 { throw parser.failure("duplicate member '\(id.kind == .settings ? "settings" : id.key)'") }
                if previous ?? -1 < 0, id.key.isASCII {
                    kinds[order].append((id, attributes))
                    return
                }
                unsort()
            }
            guard hashed?.updateValue(attributes, forKey: id) == nil else {
                throw parser.failure("duplicate member '\(id.kind == .settings ? "settings" : id.key)'")
            }
        }

        /// An object of attribute values; nil (value read past) when it is something else.
        private mutating func attributes(_ path: @autoclosure () -> String) throws(JSONParser.Failure) -> Attributes? {
            if let packed = parser.packedObject() { return Attributes(packed: packed) }
            guard let open = try object(path()) else { return nil }
            guard open else { return Attributes() }
            // Gathered in a buffer kept between resources, then copied once into an array of the
            // right size (growing a new array pair by pair cost more than the parsing).
            scratch.removeAll(keepingCapacity: true)
            var valid = true
            repeat {
                let name = try parser.memberName()
                if let value = try parser.simpleValue() {
                    scratch.append((name, value))
                } else if let value = Value(try parser.value()) {
                    scratch.append((name, value))
                } else {
                    valid = false
                }
            } while try !parser.endMember()
            guard valid else { return nil }
            // A new buffer of exactly this size (`Array(scratch)` would share the scratch buffer, and the
            // next resource's writes would then copy it, spare capacity and all), the pairs moved into it.
            let pairs = scratch.removeLast(moving: scratch.count)
            if let sorted = Attributes(sorted: pairs) { return sorted }
            // Not in rolecall's order (edited by hand): sort, and refuse a name given twice.
            var result = Attributes()
            for (name, value) in pairs {
                guard result[name] == nil else { throw parser.failure("duplicate member '\(name)'") }
                result[name] = value
            }
            return result
        }
    }
}
