import Foundation
@testable import RolecallKit
import Testing

/// Issue 13, item 1: a saved plan is input like any other. Every tampered plan below is refused with
/// exit 1 and nothing written (state and audit log byte for byte as before).
@Suite("saved-plan integrity end to end", .serialized)
struct PlanIntegrityTests {
    /// acme applied (serial 1), then a plan adding one member saved as plan.json.
    private func saved(key: String? = nil) throws -> Workspace {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "members:\n", with: "members:\n  - {email: new@acme.com, role: member}\n"))
        let plan = try ws.run(["plan", "m", "--out", "plan.json"], environment: key.map { ["ROLECALL_PLAN_KEY": $0] } ?? [:])
        #expect(plan.status == 0, "\(plan.stderr)")
        return ws
    }

    private func document(_ ws: Workspace) throws -> PlanDocument {
        try JSONDecoder().decode(PlanDocument.self, from: Data(try #require(ws.read("plan.json")).utf8))
    }

    private func write(_ document: PlanDocument, _ ws: Workspace) throws {
        try document.json.write(toFile: ws.path("plan.json"), atomically: true, encoding: .utf8)
    }

    private func state(_ ws: Workspace) throws -> State {
        try StateCodec.decode(Data(try #require(ws.read("rolecall.state.json")).utf8)).get()
    }

    /// Applies plan.json and checks it is refused with nothing written; returns standard error.
    @discardableResult
    private func refused(_ ws: Workspace, environment: [String: String] = [:], _ extra: [String] = []) throws -> String {
        let before = (ws.read("rolecall.state.json"), ws.read("rolecall.audit.jsonl"))
        let run = try ws.run(["apply", "plan.json", "--auto-approve"] + extra, environment: environment)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(ws.read("rolecall.state.json") == before.0, "the state was written")
        #expect(ws.read("rolecall.audit.jsonl") == before.1, "the audit log was written")
        return run.stderr
    }

    private func change(_ action: Change.Action, _ kind: ResourceKind, _ key: String, org: String = "acme",
                        before: Attributes? = nil, after: Attributes? = nil, reason: String = "added") -> PlanDocument.ChangeDocument {
        PlanDocument.ChangeDocument(action: action, org: org, kind: kind, key: key, before: before, after: after,
                                    reason_code: reason, reason: reason, expired_on: nil, expired_via: nil, location: nil)
    }

    @Test func hardening1_handEditedRoleToOwnerIsRefusedByTheDigest() throws {
        let ws = try saved()
        var plan = try document(ws)
        let index = try #require(plan.changes.firstIndex { $0.key == "new@acme.com" })
        plan.changes[index].after?["role"] = .string("owner")
        try write(plan, ws)
        #expect(try refused(ws).contains("does not match its digest"))
        // A saved plan without a digest is not applied either.
        plan.digest = nil
        try write(plan, ws)
        #expect(try refused(ws).contains("has no digest"))
    }

    @Test func hardening1_anAddedOwnerIsRefusedByTheDigestOrTheKey() throws {
        let ws = try saved()
        var plan = try document(ws)
        plan.changes.append(change(.create, .member, "evil@agency.io", after: ["role": .string("owner"), "sso": .bool(true)]))
        try write(plan, ws)
        #expect(try refused(ws).contains("does not match its digest"))
        // The plain digest recomputed over the edit: with ROLECALL_PLAN_KEY set, a plan must carry an HMAC.
        try write(plan.sealed(key: nil), ws)
        let stderr = try refused(ws, environment: ["ROLECALL_PLAN_KEY": "s3cret-key"])
        #expect(stderr.contains("not signed with it"))
        #expect(!stderr.contains("s3cret-key"))
        // An HMAC made with another key.
        try write(plan.sealed(key: "guessed"), ws)
        #expect(try refused(ws, environment: ["ROLECALL_PLAN_KEY": "s3cret-key"]).contains("does not match its HMAC"))
    }

    @Test func hardening1_signedPlansNeedTheirKey() throws {
        let ws = try saved(key: "s3cret-key")
        let text = try #require(ws.read("plan.json"))
        #expect(text.range(of: #""digest" : "hmac-sha256:[0-9a-f]{64}""#, options: .regularExpression) != nil
                || text.range(of: #""digest": "hmac-sha256:[0-9a-f]{64}""#, options: .regularExpression) != nil)
        #expect(!text.contains("s3cret-key"))
        #expect(try refused(ws).contains("ROLECALL_PLAN_KEY is not set"))
        #expect(try refused(ws, environment: ["ROLECALL_PLAN_KEY": "other"]).contains("does not match its HMAC"))
        let run = try ws.run(["apply", "plan.json", "--auto-approve"], environment: ["ROLECALL_PLAN_KEY": "s3cret-key"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try state(ws).resources[ResourceID(org: "acme", kind: .member, key: "new@acme.com")] != nil)
    }

    @Test func hardening1_deletingTheLastOwnerIsRefusedEvenWithARecomputedDigest() throws {
        let ws = try saved()
        var plan = try document(ws)
        let owner = ResourceID(org: "acme", kind: .member, key: "owner@acme.com")
        plan.changes.append(change(.delete, .member, owner.key, before: try state(ws).resources[owner], reason: "removed"))
        try write(plan.sealed(key: nil), ws)
        #expect(try refused(ws).contains("removes the last owner of org 'acme'"))
    }

    @Test func hardening1_theRemovalLimitHoldsForSavedPlans() throws {
        let ws = try saved()
        var plan = try document(ws)
        let recorded = try state(ws).resources
        let gone: Set<Value> = [.string("jane@acme.com"), .string("temp@agency.io")]
        // Their memberships and grants first, then the members (a member removed while a grant of theirs
        // stays is refused on its own).
        let dependents = recorded.filter { $0.value["member"].map(gone.contains) ?? false }
        let members = recorded.filter { $0.key.kind == .member && gone.contains(.string($0.key.key)) }
        var dangling = plan
        for (id, attributes) in members {
            dangling.changes.append(change(.delete, .member, id.key, before: attributes, reason: "removed"))
        }
        try write(dangling.sealed(key: nil), ws)
        #expect(try refused(ws, ["--allow-removals", "2"]).contains("but keeps"))
        for (id, attributes) in dependents + members {
            plan.changes.append(change(.delete, id.kind, id.key, before: attributes, reason: "removed"))
        }
        try write(plan.sealed(key: nil), ws)
        #expect(try refused(ws).contains("more than max_removals"))
        // The acknowledgement comes from apply's own command line, never from the file.
        let run = try ws.run(["apply", "plan.json", "--auto-approve", "--allow-removals", "2"])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func hardening1_invalidNamesKeysAndAttributesAreRefused() throws {
        let ws = try saved()
        let original = try document(ws)
        let edits: [(PlanDocument.ChangeDocument, String)] = [
            (change(.create, .settings, "", org: "Bad Org!", after: ["catalog": .string("logrocket"), "timezone": .string("UTC")]),
             "org name 'Bad Org!'"),
            (change(.create, .member, "not-an-email", after: ["role": .string("member"), "sso": .bool(false)]), "member 'not-an-email'"),
            (change(.create, .member, "x@acme.com", after: ["role": .string("superuser"), "sso": .bool(false)]), "unknown org role 'superuser'"),
            (change(.create, .member, "y@acme.com", after: ["role": .string("member"), "shell": .string("rm -rf")]), "unknown attribute 'shell'"),
            (change(.create, .grant, "member:jane@acme.com:admin@nowhere",
                    after: ["app": .string("nowhere"), "member": .string("jane@acme.com"), "role": .string("admin")]), "app 'nowhere' is not in org"),
            (change(.create, .app, "ops", after: ["visibility": .string("everyone")]), "'visibility' must be one of"),
            (change(.create, .member, "z@acme.com", after: ["role": .string("member"), "sso": .bool(false), "status": .string("root")]),
             "'status' must be one of"),
        ]
        for (edit, message) in edits {
            var plan = original
            plan.changes.append(edit)
            try write(plan.sealed(key: nil), ws)
            let stderr = try refused(ws)
            #expect(stderr.contains(message), "\(stderr)")
        }
        // A change whose `before` is not what the state holds.
        var plan = original
        let index = try #require(plan.changes.firstIndex { $0.key == "new@acme.com" })
        plan.changes[index].action = .update
        plan.changes[index].before = ["role": .string("member")]
        try write(plan.sealed(key: nil), ws)
        #expect(try refused(ws).contains("from attributes the state does not hold"))
    }
}
