import Foundation
import Testing
@testable import RolecallKit

@Suite("State file")
struct StateTests {
    static let sample: State = {
        var s = State(lineage: "0f0f", serial: 7)
        s.resources[ResourceID(org: "acme", kind: .settings, key: "")] = ["catalog": .string("logrocket"), "seats": .int(10)]
        s.resources[ResourceID(org: "acme", kind: .member, key: "jane@acme.com")] = [
            "role": .string("admin"), "sso": .bool(true), "name": .string("Jane \"JD\" Doe\\\n\u{1}é"),
        ]
        s.resources[ResourceID(org: "acme", kind: .role, key: "flag-editor")] = ["permissions": .strings(["a", "b"])]
        s.resources[ResourceID(org: "acme", kind: .grant, key: "member:jane@acme.com:flag-editor@web")] = [
            "attributes": .map(["projectKey": ["api", "web"]]),
        ]
        return s
    }()

    @Test func roundTripsAndIsDeterministic() throws {
        let data = StateCodec.encode(Self.sample)
        #expect(try StateCodec.decode(data).get() == Self.sample)
        #expect(StateCodec.encode(try StateCodec.decode(data).get()) == data)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"format_version\": 1,\n  \"lineage\": \"0f0f\",\n  \"orgs\": {\n    \"acme\": {\n"))
        #expect(text.hasSuffix("  \"serial\": 7\n}\n"))
    }

    @Test func filesAreReadWholeOrWithTheSystemsReason() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = dir.appendingPathComponent("f")
        try Data(content).write(to: file)
        #expect(try readFile(file.path).get() == content)
        // A file whose size says 0 but that has content (as /proc files do) is read to its end.
        if FileManager.default.fileExists(atPath: "/proc/self/status") {
            #expect(String(decoding: try readFile("/proc/self/status").get(), as: UTF8.self).hasPrefix("Name:"))
        }
        let empty = dir.appendingPathComponent("empty")
        try Data().write(to: empty)
        #expect(try readFile(empty.path).get().isEmpty)
        guard case let .failure(directory) = readFile(dir.path), case let .failure(missing) = readFile(dir.path + "/none") else {
            Issue.record("a directory or a missing file was read")
            return
        }
        #expect(directory.reason == "Is a directory")
        #expect(missing.reason == "No such file or directory")
        // A manifest that cannot be read says why, at line 1, column 1 of it.
        guard case let .failure(manifest) = ManifestLoader(now: fixedNow).read(dir.path) else {
            Issue.record("a directory was read as a manifest")
            return
        }
        #expect(manifest.code == .unreadableFile)
        #expect(manifest.diagnostic.message == "cannot read file: is a directory")
        #expect(manifest.location == SourceLocation(file: dir.path, line: 1, column: 1))
    }

    @Test func timestampsAreRFC3339InUTCToTheMillisecond() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_435_199.9)) == "2026-11-23T11:59:59.9Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_435_199.0004)) == "2026-11-23T11:59:59Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01T00:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00Z")
        for seconds in stride(from: -3_000_000_000, to: 5_000_000_000, by: 987_654_321) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(Timestamp.parse(Timestamp.format(date)) == date)
        }
    }

    @Test func attributesStaySortedWhateverTheOrderTheyAreSetIn() {
        var a: Attributes = ["sso": .bool(false), "name": .string("Jane"), "role": .string("member")]
        #expect(a.keys == ["name", "role", "sso"])
        a["expires"] = .string("2027-01-01T00:00:00Z")
        a["role"] = .string("admin")
        a["name"] = nil
        #expect(a.keys == ["expires", "role", "sso"])
        #expect(a["role"] == .string("admin"))
        #expect(a == ["role": .string("admin"), "sso": .bool(false), "expires": .string("2027-01-01T00:00:00Z")])
        #expect(Attributes(sorted: [("b", .int(1)), ("a", .int(2))]) == nil)
        #expect(Attributes(sorted: [("a", .int(1)), ("a", .int(2))]) == nil)
        var recorded = a
        recorded["status"] = .string("invited")
        #expect(a.sameValues(as: recorded, ignoring: State.stateOnlyAttributes))
        #expect(!a.sameValues(as: recorded, ignoring: []))
        recorded["sso"] = .bool(true)
        #expect(!a.sameValues(as: recorded, ignoring: State.stateOnlyAttributes))
    }

    @Test func aStateEditedByHandIsReadInAnyKeyOrderButNeverWithANameTwice() throws {
        let unsorted = #"{"serial": 1, "orgs": {"a": {"members": {"x@a.io": {"sso": true, "role": "member"}}}}, "lineage": "l", "format_version": 1}"#
        let state = try StateCodec.decode(Data(unsorted.utf8)).get()
        #expect(state.resources[ResourceID(org: "a", kind: .member, key: "x@a.io")] == ["role": .string("member"), "sso": .bool(true)])
        let twice = #"{"format_version": 1, "lineage": "l", "serial": 1, "orgs": {"a": {"members": {"x@a.io": {"sso": true, "role": "member", "sso": false}}}}}"#
        guard case let .failure(problem) = StateCodec.decode(Data(twice.utf8)) else {
            Issue.record("a state naming an attribute twice was accepted")
            return
        }
        #expect(problem.description.contains("duplicate member 'sso'"))
        let memberTwice = #"{"format_version": 1, "lineage": "l", "serial": 1, "orgs": {"a": {"members": {"x@a.io": {}, "x@a.io": {}}}}}"#
        guard case let .failure(again) = StateCodec.decode(Data(memberTwice.utf8)) else {
            Issue.record("a state naming a member twice was accepted")
            return
        }
        #expect(again.description.contains("duplicate member 'x@a.io'"))
    }

    @Test func aStateInRolecallsOrderIsReadAsASortedListAndAnyOtherAsATable() throws {
        let written = StateCodec.encode(Self.sample)
        let sorted = try StateCodec.decode(written).get()
        #expect(sorted.resources.sortedElements?.map(\.key) == sorted.resources.keys.sorted())
        #expect(sorted == Self.sample)
        // The same resources with two orgs and two keys out of order, and with a key that is not ASCII.
        let shuffled = #"""
            {"format_version": 1, "lineage": "l", "serial": 1, "orgs": {
              "b": {"members": {"y@b.io": {"role": "member"}, "x@b.io": {"role": "owner"}}},
              "a": {"teams": {"t": {}}, "apps": {"web": {"visibility": "public"}}}}}
            """#
        let unicode = shuffled.replacingOccurrences(of: "t\": {}", with: "t\u{e9}\": {}")
        for (text, key) in [(shuffled, "t"), (unicode, "t\u{e9}")] {
            let state = try StateCodec.decode(Data(text.utf8)).get()
            #expect(state.resources.sortedElements == nil)
            #expect(state.resources.count == 4)
            #expect(state.resources[ResourceID(org: "b", kind: .member, key: "x@b.io")] == ["role": .string("owner")])
            #expect(state.resources[ResourceID(org: "a", kind: .team, key: key)] == Attributes())
            // Written back, it is in order, and read as a list again when every id is ASCII.
            let again = try StateCodec.decode(StateCodec.encode(state)).get()
            #expect(again == state)
            #expect((again.resources.sortedElements != nil) == (key == "t"))
        }
    }

    @Test func aKeyTwiceIsRefusedInOrderOrNot() {
        for members in [#""x@a.io": {}, "x@a.io": {}"#, #""y@a.io": {}, "x@a.io": {}, "y@a.io": {}"#,
                        #""x@a.io": {}, "\u00e9@a.io": {}, "x@a.io": {}"#] {
            let text = #"{"format_version": 1, "lineage": "l", "serial": 1, "orgs": {"a": {"members": {"# + members + "}}}}"
            guard case let .failure(problem) = StateCodec.decode(Data(text.utf8)) else {
                Issue.record("a state naming a member twice was accepted: \(members)")
                continue
            }
            #expect(problem.description.contains("duplicate member"), "\(problem)")
        }
    }

    /// Attribute names rolecall writes are recognised in order without being compared; any order,
    /// unknown names and escaped spellings read the same, and a name twice is refused either way.
    @Test func attributesReadTheSameInAnyOrderAndSpelling() throws {
        func read(_ attributes: String) -> Result<State, StateCodec.Failure> {
            let text = #"{"format_version": 1, "lineage": "l", "serial": 1, "orgs": {"a": {"members": {"x@a.io": {"# + attributes + "}}}}}"
            return StateCodec.decode(Data(text.utf8))
        }
        let inOrder = try read(#""name": "X", "role": "admin", "sso": true, "status": "active""#).get()
        let expected: Attributes = ["name": .string("X"), "role": .string("admin"), "sso": .bool(true), "status": .string("active")]
        #expect(inOrder.resources[ResourceID(org: "a", kind: .member, key: "x@a.io")] == expected)
        for other in [#""status": "active", "sso": true, "role": "admin", "name": "X""#,
                      #""name": "X", "role": "admin", "sso": true, "status": "active""#,
                      #""role": "admin", "name": "X", "status": "active", "sso": true"#] {
            #expect(try read(other).get() == inOrder, "\(other)")
        }
        let unknown = try read(#""name": "X", "zz_custom": "1", "role": "admin""#).get()
        #expect(unknown.resources[ResourceID(org: "a", kind: .member, key: "x@a.io")]?.keys == ["name", "role", "zz_custom"])
        for twice in [#""name": "X", "name": "Y""#, #""role": "a", "name": "X", "role": "b""#, #""name": "X", "name": "Y""#] {
            guard case let .failure(problem) = read(twice) else {
                Issue.record("attributes naming one twice were accepted: \(twice)")
                continue
            }
            #expect(problem.description.contains("duplicate member"), "\(problem)")
        }
    }

    /// The table behaves as a dictionary whatever it is kept as: random edits of a sorted table, and
    /// of a table that starts as a dictionary, checked against a dictionary after each one.
    @Test(arguments: 0..<20)
    func aTableIsADictionary(_ seed: Int) throws {
        var g = PlannerPropertyTests.Generator(seed: UInt64(seed) &* 2_654_435_761 &+ 11)
        let kinds = ResourceKind.allCases
        func id() -> ResourceID {
            let keys = ["a", "b", "c", "K", "\u{212A}", "x@a.io", "team-1/x@a.io", ""]
            return ResourceID(org: ["a", "b"][g.next(2)], kind: kinds[g.next(kinds.count)], key: keys[g.next(keys.count)])
        }
        var model: [ResourceID: Attributes] = [:]
        for _ in 0..<g.next(30) { model[id()] = ["n": .int(g.next(5))] }
        let start = model.filter { $0.key.isASCII }
        var table = seed % 2 == 0
            ? ResourceTable(ascending: start.sorted { ResourceID.byteCompare($0.key, $1.key) < 0 }.map { ($0.key, $0.value) })
            : ResourceTable(start)
        model = start
        for _ in 0..<60 {
            let target = id()
            switch g.next(3) {
            case 0: model[target] = nil; table[target] = nil
            default:
                let value: Attributes = ["n": .int(g.next(5))]
                model[target] = value
                table[target] = value
            }
            #expect(table.count == model.count)
            let probe = id()
            #expect(table[probe] == model[probe], "\(probe)")
            #expect(table == ResourceTable(model))
            #expect(Dictionary(table.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) == model)
            if let list = table.sortedElements {
                #expect(list.indices.dropFirst().allSatisfy { ResourceID.byteCompare(list[$0 - 1].key, list[$0].key) < 0 })
            }
        }
    }

    @Test func everyTruncationIsAClearErrorNeverACrash() {
        let data = [UInt8](StateCodec.encode(Self.sample))
        for cut in stride(from: 0, to: data.count - 1, by: 1) {
            guard case let .failure(problem) = StateCodec.decode(Data(data[0..<cut])) else {
                Issue.record("a state cut at byte \(cut) was accepted")
                continue
            }
            #expect(problem.description.hasPrefix("the state file is not valid: "))
        }
    }

    @Test func newerFormatsAndWrongShapesAreRefused() {
        func problem(_ text: String) -> String? {
            if case let .failure(p) = StateCodec.decode(Data(text.utf8)) { return p.description }
            return nil
        }
        #expect(problem(#"{"format_version": 2, "lineage": "x", "serial": 1, "orgs": {}}"#)
            == "the state file has format_version 2, newer than this rolecall understands (1); upgrade rolecall")
        #expect(problem(#"{"format_version": 1, "lineage": "x", "orgs": {}}"#) == "the state file is not valid: serial is missing")
        #expect(problem(#"{"format_version": 1, "lineage": "x", "serial": 1, "orgs": {"a": {"people": {}}}}"#)
            == "the state file is not valid: orgs.a.people is not a known section")
        #expect(problem(#"{"format_version": 1, "lineage": "x", "serial": 1, "orgs": {"a": {"members": {"x": {"role": null}}}}}"#)
            == "the state file is not valid: orgs.a.members.x is not valid")
        #expect(problem("[1, 2]") == "the state file is not valid: the top level is not an object")
        #expect(problem(#"{"a": 1, "a": 2}"#)?.contains("duplicate member 'a'") == true)
    }

    @Test func fileStoreWritesAtomicallyAndKeepsABackup() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = FileStateStore(path: dir.appendingPathComponent("s.json").path)
        #expect(try store.read() == nil)
        let lock = try store.lock(owner: LockOwner(pid: 1, host: "h", user: "u", since: Date()), timeout: 0)
        defer { lock.release() }
        try store.write(Self.sample, replacing: nil, holding: lock)
        var next = Self.sample
        next.serial = 8
        try store.write(next, replacing: StateVersion(of: Self.sample), holding: lock)
        #expect(try store.read() == next)
        #expect(try StateCodec.decode(Data(contentsOf: URL(fileURLWithPath: store.backupPath))).get() == Self.sample)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func lockIsExclusiveAndNamesItsHolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = FileStateStore(path: dir.appendingPathComponent("s.json").path)
        let owner = LockOwner(pid: 42, host: "ci-7", user: "alice", since: Date(timeIntervalSince1970: 0))
        let held = try store.lock(owner: owner, timeout: 0)
        // flock locks belong to the open file description: a second open in this process conflicts too.
        #expect(throws: StateError.locked(backend: store.path, holder: owner)) { try store.lock(owner: owner, timeout: 0.2) }
        held.release()
        let again = try store.lock(owner: owner, timeout: 0)
        again.release()
    }
}

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesWhatThePrinterWrites() throws {
        let value = JSONValue.object(["a": .array([.int(-3), .bool(false), .null, .string("x\"\\\n\u{7}ü😀")]), "b": .object([:])])
        #expect(try JSONParser.parse(Array(value.pretty.utf8)) == value)
        #expect(try JSONParser.parse(Array(value.compact.utf8)) == value)
        #expect(try JSONParser.parse(Array(#""\ud83d\ude00\u00e9""#.utf8)) == .string("😀é"))
    }

    @Test(arguments: [
        ("{\"a\": 1,\n \"b\": }", "line 2, column 7: unexpected character '}'"),
        ("[1, 2", "line 1, column 6: the document ends inside a list (truncated?)"),
        ("{} x", "line 1, column 4: unexpected text after the end of the document"),
        ("1.5", "line 1, column 2: only whole numbers are expected here"),
        ("\"a\u{1}\"", "line 1, column 3: control character in a string"),
        (String(repeating: "[", count: 600), "line 1, column 513: nesting is deeper than 512 levels"),
    ])
    func reportsWhereItGoesWrong(_ text: String, _ message: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
        do {
            _ = try JSONParser.parse(Array(text.utf8))
        } catch {
            #expect(error.description == message)
        }
    }
}
