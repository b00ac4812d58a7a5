import Foundation
import Testing
@testable import RolecallKit

/// Manifests in a scratch folder, planned against a state in memory (applied from `before` first).
private struct CommentScratch {
    let folder: URL

    init(_ text: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-comment-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write(text)
    }

    func write(_ text: String) throws {
        try text.write(to: folder.appendingPathComponent("org.yaml"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Plans against `state` at `now`; the plan must not stop.
    func plan(_ state: State?, now: Date = fixedNow, onlyExpired: Bool = false) throws -> Plan {
        let store = FileStateStore(path: folder.appendingPathComponent("state.json").path)
        if let state {
            try StateCodec.encode(state).write(to: URL(fileURLWithPath: store.path))
        } else {
            try? FileManager.default.removeItem(atPath: store.path)
        }
        var options = PlanOptions(now: now)
        options.onlyExpired = onlyExpired
        var planned = Workflow.plan(manifests: folder.path, store: store, options: options)
        planned.recordPolicyResults(options: options)
        return try #require(planned.plan, "\(planned.diagnostics)")
    }

    /// The state after applying `plan` to `state` as apply records it (with `declared_at`).
    func applied(_ plan: Plan, to state: State) -> State {
        var next = state
        for change in plan.changes { next.apply(Applier.recorded(change, as: change.after.map { AppliedResource(attributes: $0) })) }
        next.serial += 1
        return next
    }
}

private let base = """
    org: acme
    settings: {catalog: logrocket, timezone: America/New_York}
    apps: [{name: production}, {name: staging}]
    members:
      - {email: owner@acme.com, role: owner, sso: true}
      - {email: jane@acme.com, role: member, sso: true}
      - {email: ann@acme.com, role: member, sso: true}
      - {email: temp@agency.io, role: member}
    teams:
      - {name: support, members: [ann@acme.com], roles: [{role: admin, app: production}]}
    grants:
      - {member: jane@acme.com, role: admin, app: production, ticket: IAM-1, reason: On call}
      - {member: temp@agency.io, role: viewer, app: staging, expires: 2026-12-20, ticket: IAM-4}

    """

@Suite("Pull-request comment")
struct PlanCommentTests {
    @Test func roleChangesOnMemberAndTeamGrantsPairIntoReplacements() throws {
        let scratch = try CommentScratch(base)
        defer { scratch.remove() }
        let first = try scratch.plan(nil)
        let state = scratch.applied(first, to: State(lineage: "l", serial: 0))
        try scratch.write(base.replacingOccurrences(of: "role: admin, app: production, ticket", with: "role: member, app: production, ticket")
            .replacingOccurrences(of: "roles: [{role: admin, app: production}]", with: "roles: [{role: viewer, app: production}]"))
        let plan = try scratch.plan(state)
        let pairs = plan.replacements.map { "\(plan.changes[$0.removal].id.key) -> \(plan.changes[$0.addition].id.key)" }
        #expect(pairs.sorted() == ["member:jane@acme.com:admin@production -> member:jane@acme.com:member@production",
                                   "team:support:admin@production -> team:support:viewer@production"])
        let text = PlanRenderer(format: .text).render(plan)
        #expect(text.contains("  -/+ grant member:jane@acme.com:member@production  (replaces member:jane@acme.com:admin@production)"))
        #expect(text.contains("      role: \"admin\" -> \"member\"\n"))
        let json = PlanRenderer(format: .json).render(plan)
        #expect(json.contains("\"replaces\": \"team:support:admin@production\""))
        #expect(json.contains("\"replaced_by\": \"member:jane@acme.com:member@production\""))
        let markdown = PlanRenderer(format: .markdown).render(plan)
        #expect(markdown.contains("| -/+ | grant `team:support:viewer@production`<br>replaces `team:support:admin@production`"))
        // The raw changes stay: apply removes one grant and adds the other.
        #expect(plan.summary.add == 2 && plan.summary.remove == 2)
    }

    @Test func expiryRevocationsArePendingAwareAccessChanges() throws {
        let scratch = try CommentScratch(base)
        defer { scratch.remove() }
        let first = try scratch.plan(nil)
        // Before the invitation is accepted, the contractor's app role waits: shown, not left out.
        let pending = try #require(first.accessChanges.first { $0.email == "temp@agency.io" && $0.app == "staging" })
        #expect(pending.after == nil && pending.pendingAfter == "viewer")
        #expect(pending.external == true)
        let flagged = Set(first.accessChanges.filter { $0.external == true }.map(\.email))
        #expect(flagged == ["temp@agency.io"])

        let state = scratch.applied(first, to: State(lineage: "l", serial: 0))
        let nightly = try scratch.plan(state, now: try #require(parseTimestamp("2026-12-22T00:00:00Z")), onlyExpired: true)
        #expect(nightly.changes.map(\.id.key) == ["member:temp@agency.io:viewer@staging"])
        let revoked = try #require(nightly.accessChanges.first)
        #expect(nightly.accessChanges.count == 1)
        #expect(revoked.expired == true && revoked.pendingBefore == "viewer" && revoked.expires == "2026-12-21T05:00:00Z")
        let markdown = PlanRenderer(format: .markdown).render(nightly)
        #expect(markdown.contains("expired <span title=\"2026-12-21T05:00:00Z\">through 2026-12-20 (America/New_York)</span>"))
    }

    @Test func removalsSayWhereTheyWereDeclaredAndWhy() throws {
        let scratch = try CommentScratch(base)
        defer { scratch.remove() }
        let state = scratch.applied(try scratch.plan(nil), to: State(lineage: "l", serial: 0))
        try scratch.write(base.replacingOccurrences(of: "  - {member: jane@acme.com, role: admin, app: production, ticket: IAM-1, reason: On call}\n",
                                                    with: ""))
        let plan = try scratch.plan(state)
        let markdown = PlanRenderer(format: .markdown).render(plan).replacingOccurrences(of: scratch.folder.path + "/", with: "")
        #expect(markdown.contains("`-` grant `member:jane@acme.com:admin@production` · removed from manifests · ticket IAM-1 · "
            + "reason: On call · declared at `org.yaml:12:5`"))
        #expect(markdown.contains("| removed from manifests | declared at `org.yaml:12:5` |"))
        let text = PlanRenderer(format: .text).render(plan).replacingOccurrences(of: scratch.folder.path + "/", with: "")
        #expect(text.contains("(removed from manifests)  declared at org.yaml:12:5"))
        // Where it was declared is the state's own: it never causes a change.
        #expect(try scratch.plan(scratch.applied(plan, to: state)).isEmpty)
    }

    @Test func expiriesReadAsWritten() {
        var expiry = ExpiryText(["ny": OrgContext(timezone: "America/New_York", internalDomains: [], domainsFrom: "members"),
                                 "be": OrgContext(timezone: "Europe/Berlin", internalDomains: [], domainsFrom: "members")])
        #expect(expiry.written("2026-12-21T05:00:00Z", org: "ny") == "through 2026-12-20 (America/New_York)")
        #expect(expiry.written("2026-07-16T04:00:00Z", org: "ny") == "through 2026-07-15 (America/New_York)")
        #expect(expiry.written("2026-12-15T23:00:00Z", org: "be") == "through 2026-12-15 (Europe/Berlin)")
        #expect(expiry.written("2026-12-16T00:00:00Z", org: "other") == "through 2026-12-15 (UTC)")
        #expect(expiry.written("2026-12-15T17:30:00Z", org: "ny") == "2026-12-15T17:30:00Z")
    }

    @Test func externalPeopleAreOutsideThePolicyDomainsOrTheMostCommonOne() {
        #expect(OrgContext.commonDomains(["a@acme.com", "b@acme.com", "c@agency.io"]) == ["acme.com"])
        // Spellings of one domain count together; a tie gives every domain in it, sorted; the domain
        // follows the last '@'; an address without one counts for none.
        #expect(OrgContext.commonDomains(["a@ACME.com", "b@acme.COM", "c@agency.io", "d@Agency.IO", "\"e@x\"@acme.com", "f"])
                == ["acme.com"])
        #expect(OrgContext.commonDomains(["a@b.io", "c@A.io", "d@a.io", "e@B.IO"]) == ["a.io", "b.io"])
        #expect(OrgContext.commonDomains(["nobody"]).isEmpty)
        // Runs of one domain (counted without hashing) and the same domain again later count together;
        // a domain that only ends like the one before is another.
        #expect(OrgContext.commonDomains(["a@b.io", "c@b.io", "d@c.io", "e@c.io", "f@c.io", "g@b.io", "h@B.io", "i@b.io"]) == ["b.io"])
        #expect(OrgContext.commonDomains(["a@b.io", "c@xb.io", "d@xb.io", "e@b.io.x"]) == ["xb.io"])
        #expect(OrgContext.commonDomains(["a@b.io", "nobody", "c@b.io", "d@c.io"]) == ["b.io"])
        let context = OrgContext(timezone: "UTC", internalDomains: ["acme.com"], domainsFrom: "policy")
        #expect(!context.isExternal("jane@eu.acme.com"))
        #expect(context.isExternal("jane@notacme.com"))
        #expect(!OrgContext(timezone: "UTC", internalDomains: [], domainsFrom: "members").isExternal("x@y.io"))
    }

    @Test func failedPlansCarryTheMarkerAndTheLabel() {
        let report = PlanReport(plan: nil, diagnostics: [.error(.unknownRole, "unknown role 'admn'", at: SourceLocation(file: "a.yaml", line: 3, column: 5))])
        let markdown = PlanReportRenderer(format: .markdown, label: "0123456789abcdef0123456789abcdef01234567").render(report)
        #expect(markdown.hasPrefix("<!-- rolecall:plan -->\n### rolecall plan for commit `0123456789ab`\n"))
        #expect(markdown.contains("| error | `a.yaml:3:5` |"))
    }
}
