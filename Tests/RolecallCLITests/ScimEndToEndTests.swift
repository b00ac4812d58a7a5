import Foundation
import RolecallKit
import Testing

/// rolecall against real SCIM servers (scim2-server and django-scim2, started by `.ci/run`).
@Suite("SCIM target end to end", .serialized)
struct ScimEndToEndTests {
    /// The state's members, team memberships and effective roles compared with what the server holds.
    static func expectServerMatches(state file: URL, reader: ScimReader, org: String) throws {
        let state = try StateCodec.decode(Data(contentsOf: file)).get()
        let users = try reader.users(), groups = try reader.groups()
        let members = state.resources.keys.filter { $0.org == org && $0.kind == .member }.map(\.key)
        #expect(!members.isEmpty)
        for email in members {
            #expect(users[email]?.active == true, "\(email) is not an active user")
        }
        for id in state.resources.keys where id.org == org && id.kind == .teamMembership {
            let parts = id.key.split(separator: "/", maxSplits: 1).map(String.init)
            #expect(groups[parts[0]]?.contains(users[parts[1]]?.id ?? "-") == true, "\(parts[1]) is not in group \(parts[0])")
        }
        let roles = ScimRoles.effective(state.resources, org: org, now: parseTimestamp("2026-11-23T12:00:00Z")!)
        for email in members {
            let id = users[email]?.id ?? "-"
            let held = Set(groups.filter { $0.key.hasPrefix("role:") && $0.value.contains(id) }.keys)
            #expect(held == Set((roles[email] ?? []).map(\.groupName)), "\(email)'s role groups")
        }
    }

    static let examples: [(example: String, org: String)] = [("logfire", "quillby-ai"), ("logrocket", "brightcart"),
                                                             ("launchdarkly", "fernhill-labs"), ("rudderstack", "pinecone-data")]

    @Test(arguments: examples.map(\.example))
    func everyExampleAppliesToScim2ServerAndMatches(_ example: String) throws {
        guard let url = ScimServers.scim2Tenant(), let token = ScimServers.token else { return ScimServers.skipNote(#function) }
        let dir = try ScimWorkspace.make(example: example)
        let applied = try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve", "--allow-protected"], in: dir, url: url)
        #expect(applied.status == 0, "\(applied.stderr)")
        let org = Self.examples.first { $0.example == example }!.org
        try Self.expectServerMatches(state: dir.appendingPathComponent("s.json"), reader: ScimReader(base: url, token: token), org: org)
        let again = try Binary.scim(["plan", ".", "--state", "s.json"], in: dir, url: url)
        #expect(again.stdout.hasSuffix("No changes.\n"), "\(again.stdout)")
    }

    @Test(arguments: examples.map(\.example))
    func everyExampleAppliesToDjangoScim(_ example: String) throws {
        guard let url = try ScimServers.djangoEmptied(), let token = ScimServers.token else { return ScimServers.skipNote(#function) }
        let dir = try ScimWorkspace.make(example: example)
        let applied = try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve", "--allow-protected"], in: dir, url: url)
        #expect(applied.status == 0, "\(applied.stderr)")
        let org = Self.examples.first { $0.example == example }!.org
        try Self.expectServerMatches(state: dir.appendingPathComponent("s.json"), reader: ScimReader(base: url, token: token), org: org)
        let again = try Binary.scim(["plan", ".", "--state", "s.json"], in: dir, url: url)
        #expect(again.stdout.hasSuffix("No changes.\n"), "\(again.stdout)")
    }

    @Test func changesBehindRolecallsBackAreDriftAndArePlannedBack() throws {
        guard let url = ScimServers.scim2Tenant(), let token = ScimServers.token else { return ScimServers.skipNote(#function) }
        let dir = try ScimWorkspace.make(example: "logfire")
        #expect(try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve"], in: dir, url: url).status == 0)
        #expect(try Binary.scim(["drift", ".", "--state", "s.json"], in: dir, url: url).status == 0)
        let reader = ScimReader(base: url, token: token)
        let users = try reader.users(), groups = try reader.groups()
        let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[%@]}"#
        let yuki = try #require(users["yuki.sato@quillby.ai"]?.id), marco = try #require(users["marco.bianchi@quillby.ai"]?.id)
        reader.send("PATCH", "/Users/\(yuki)", String(format: patch, #"{"op":"replace","path":"active","value":false}"#))
        let ml = try #require(try ScimGroupID.find("ml", in: reader))
        reader.send("PATCH", "/Groups/\(ml)", String(format: patch, #"{"op":"remove","path":"members[value eq \"\#(marco)\"]"}"#))
        let admins = try #require(try ScimGroupID.find("role:admin", in: reader))
        reader.send("PATCH", "/Groups/\(admins)", String(format: patch, #"{"op":"add","path":"members","value":[{"value":"\#(marco)"}]}"#))
        #expect(groups["role:admin"]?.contains(marco) == false)
        let drift = try Binary.scim(["drift", ".", "--state", "s.json"], in: dir, url: url)
        #expect(drift.status == 2)
        #expect(drift.stdout.contains("member yuki.sato@quillby.ai (org quillby-ai): deactivated"))
        #expect(drift.stdout.contains("team ml (org quillby-ai): member marco.bianchi@quillby.ai removed from the group"))
        #expect(drift.stdout.contains("member marco.bianchi@quillby.ai (org quillby-ai): roles changed"))
        let plan = try Binary.scim(["plan", ".", "--state", "s.json"], in: dir, url: url)
        #expect(plan.stdout.hasPrefix("Changed outside rolecall"))
        #expect(!plan.stdout.contains("No changes."))
        #expect(try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve"], in: dir, url: url).status == 0)
        #expect(try Binary.scim(["drift", ".", "--state", "s.json"], in: dir, url: url).status == 0)
        try Self.expectServerMatches(state: dir.appendingPathComponent("s.json"), reader: reader, org: "quillby-ai")
        // --refresh=false plans from the state alone: blind to a change made since.
        reader.send("PATCH", "/Users/\(yuki)", String(format: patch, #"{"op":"replace","path":"active","value":false}"#))
        let blind = try Binary.scim(["plan", ".", "--state", "s.json", "--refresh=false"], in: dir, url: url)
        #expect(blind.stdout.hasSuffix("No changes.\n"))
    }

    @Test(arguments: ["scim2", "django"])
    func removedMembersAreDeactivated(_ server: String) throws {
        guard let url = server == "scim2" ? ScimServers.scim2Tenant() : try ScimServers.djangoEmptied(), let token = ScimServers.token else {
            return ScimServers.skipNote(#function)
        }
        let domain = "rm\(UUID().uuidString.prefix(6).lowercased()).example"
        let dir = try ScimWorkspace.make(files: ["org.yaml": ScimWorkspace.bigOrg(5, domain: domain, org: "rm")])
        #expect(try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve"], in: dir, url: url).status == 0)
        try ScimWorkspace.bigOrg(3, domain: domain, org: "rm").write(to: dir.appendingPathComponent("org.yaml"), atomically: true, encoding: .utf8)
        try ScimWorkspace.addTarget(to: dir, rolesAs: "groups")
        let removed = try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve", "--allow-removals", "2"], in: dir, url: url)
        #expect(removed.status == 0, "\(removed.stderr)")
        let users = try ScimReader(base: url, token: token).users()
        #expect(users["user3@\(domain)"]?.active == false && users["user4@\(domain)"]?.active == false)
        #expect(users["user2@\(domain)"]?.active == true)
        let groups = try ScimReader(base: url, token: token).groups()
        #expect(groups["role:member"]?.contains(users["user3@\(domain)"]?.id ?? "-") == false)
        #expect(try Binary.scim(["plan", ".", "--state", "s.json"], in: dir, url: url).stdout.hasSuffix("No changes.\n"))
    }

    @Test func aPlanFileIsRefusedForAnOrgWithATarget() throws {
        guard let url = ScimServers.scim2Tenant(), ScimServers.token != nil else { return ScimServers.skipNote(#function) }
        let dir = try ScimWorkspace.make(files: ["org.yaml": ScimWorkspace.bigOrg(3, domain: "pf.example", org: "pf")])
        #expect(try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve"], in: dir, url: url).status == 0)
        try ScimWorkspace.bigOrg(4, domain: "pf.example", org: "pf").write(to: dir.appendingPathComponent("org.yaml"), atomically: true, encoding: .utf8)
        try ScimWorkspace.addTarget(to: dir, rolesAs: "groups")
        #expect(try Binary.scim(["plan", ".", "--state", "s.json", "--out", "p.json"], in: dir, url: url).status == 0)
        let applied = try Binary.scim(["apply", "p.json", "--state", "s.json", "--auto-approve"], in: dir, url: url)
        #expect(applied.status == 1)
        #expect(applied.stderr.contains("RC6020"))
        #expect(try ScimReader(base: url, token: ScimServers.token ?? "").users()["user3@pf.example"] == nil)
    }

    static let adoptable = """
        org: acme
        settings:
          catalog: custom
        apps:
          - name: web
          - name: api
        roles:
          - {name: member, scope: org, permissions: [read]}
          - {name: owner, scope: org, permissions: [read, write]}
          - {name: deployer, scope: app, permissions: [deploy]}
        members:
          - {email: ann@acme.example, name: Ann Lee, role: owner}
          - {email: bob@acme.example, name: Bob Ray, role: member}
          - {email: cy@acme.example, role: member}
        teams:
          - name: backend
            members: [bob@acme.example, cy@acme.example]
            roles:
              - {role: deployer, app: api}
        grants:
          - {member: ann@acme.example, role: deployer, app: web}

        """

    @Test(arguments: ["groups", "roles"])
    func importThenPlanIsEmpty(_ rolesAs: String) throws {
        guard let url = ScimServers.scim2Tenant(), ScimServers.token != nil else { return ScimServers.skipNote(#function) }
        let dir = try ScimWorkspace.make(files: ["acme.yaml": Self.adoptable], rolesAs: rolesAs)
        let applied = try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve", "--allow-protected"], in: dir, url: url)
        #expect(applied.status == 0, "\(applied.stderr)")
        let out = dir.appendingPathComponent("imported")
        let imported = try Binary.scim(["import", "scim", "--url", url, "--token-env", "TEST_SCIM_TOKEN", "--org", "adopted", "--roles-as", rolesAs,
                                        "--out", out.path, "--state", out.appendingPathComponent("s.json").path], in: dir, url: url)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("Imported 3 members and 1 teams"))
        let plan = try Binary.scim(["plan", ".", "--state", "s.json"], in: out, url: url)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout == "No changes.\n", "\(plan.stdout)")
    }
}

enum ScimGroupID {
    static func find(_ name: String, in reader: ScimReader) throws -> String? {
        try reader.all("Groups").first { $0["displayName"] as? String == name }?["id"] as? String
    }
}
