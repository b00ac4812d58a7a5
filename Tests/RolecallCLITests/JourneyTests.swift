import Foundation
import Testing

/// The journeys of the pull-request workflow, end to end with the built binary, in a git repository of
/// manifests: a branch changes access, CI validates (annotations) and plans (the comment a reviewer
/// reads), the branch is merged and applied, and the scheduled job revokes what expired.
@Suite("journeys", .serialized)
struct JourneyTests {
    static let main = """
        org: acme
        settings:
          catalog: logrocket
          timezone: America/New_York
          policy:
            internal_domains: [acme.com]
        apps: [{name: production}, {name: staging}]
        members:
          - {email: owner@acme.com, role: owner, sso: true}
          - {email: jane@acme.com, role: member, sso: true}
          - {email: bob@acme.com, role: member, sso: true}
        grants:
          - {member: jane@acme.com, role: admin, app: production, ticket: IAM-1, reason: On call}
          - {member: bob@acme.com, role: viewer, app: staging, ticket: IAM-2, reason: Triage}

        """

    /// The branch: Jane's role on production changes (a replacement), Bob's grant goes, a contractor
    /// from outside comes in with a grant that expires on 2026-12-20 (New York time).
    static let branch = main
        .replacingOccurrences(of: "role: admin, app: production, ticket: IAM-1", with: "role: member, app: production, ticket: IAM-1")
        .replacingOccurrences(of: "  - {member: bob@acme.com, role: viewer, app: staging, ticket: IAM-2, reason: Triage}\n", with: "")
        .replacingOccurrences(of: "  - {email: bob@acme.com, role: member, sso: true}\n", with: """
              - {email: bob@acme.com, role: member, sso: true}
              - {email: temp@agency.io, role: member, expires: 2027-01-31, ticket: IAM-3, reason: SDK rollout}

            """)
        + "  - {member: temp@agency.io, role: admin, app: staging, expires: 2026-12-20, ticket: IAM-4, reason: Source maps}\n"

    private func git(_ ws: Workspace, _ command: String) throws -> String {
        let run = try Binary.run(["-c", "git -c user.name=ci -c user.email=ci@acme.com " + command], in: ws.url, shell: true)
        #expect(run.status == 0, "git \(command): \(run.stderr)")
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func pullRequestMergeAndScheduledRevoke() throws {
        let ws = try Workspace(["acme.yaml": Self.main])
        let state = ["--state", ws.path("state.json")]
        _ = try git(ws, "init -q -b main && git add m && git -c user.name=ci -c user.email=ci@acme.com commit -q -m main")
        let applied = try ws.run(["apply", "m", "--auto-approve"] + state)
        #expect(applied.status == 0, "\(applied.stderr)")
        let clean = try ws.run(["plan", "m", "--detailed-exitcode"] + state)
        #expect(clean.status == 0)

        // The pull request.
        _ = try git(ws, "checkout -q -b access-change")
        try ws.write("acme.yaml", Self.branch)
        _ = try git(ws, "commit -q -am 'access change'")
        let sha = try git(ws, "rev-parse HEAD")
        try checkCI(ws, state: state)
        let comment = try ws.run(["plan", "m", "--format", "markdown", "--detailed-exitcode"] + state,
                                 environment: ["GITHUB_SHA": sha])
        #expect(comment.status == 2, "\(comment.stderr)")
        try checkComment(comment.stdout, sha: sha)

        // Merged and applied.
        _ = try git(ws, "checkout -q main && git -c user.name=ci -c user.email=ci@acme.com merge -q --no-ff access-change -m merge")
        let merged = try ws.run(["apply", "m", "--auto-approve"] + state)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try ws.run(["plan", "m", "--detailed-exitcode"] + state).status == 0)
        let recorded = try #require(ws.read("state.json"))
        #expect(recorded.contains("\"declared_at\": \"m/acme.yaml:"))

        try checkScheduledRevoke(ws, state: state)
    }

    /// `validate --format github` annotates errors (exit 1), plan still explains them in Markdown; a
    /// valid branch validates clean (exit 0).
    private func checkCI(_ ws: Workspace, state: [String]) throws {
        let valid = try ws.run(["validate", "m", "--format", "github"])
        #expect(valid.status == 0)
        #expect(!valid.stdout.contains("::error"))

        try ws.write("acme.yaml", Self.branch.replacingOccurrences(of: "{email: jane@acme.com, role: member", with: "{email: jane@acme.com, role: membr"))
        let broken = try ws.run(["validate", "m", "--format", "github"])
        #expect(broken.status == 1)
        let annotations = broken.stdout.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(annotations.count == 1)
        #expect(annotations.first?.contains("file=m/acme.yaml,line=") == true)
        #expect(annotations.first?.contains("title=RC3101 unknown-role::") == true)
        let failed = try ws.run(["plan", "m", "--format", "markdown", "--detailed-exitcode"] + state)
        #expect(failed.status == 1)
        #expect(failed.stdout.hasPrefix("<!-- rolecall:plan -->\n"))
        #expect(failed.stdout.contains("`m/acme.yaml:"))
        _ = try git(ws, "checkout -- m")
    }

    /// What the reviewer sees: the header, people first (who gains and loses what), the replacement,
    /// the external contractor, the removal with its ticket, reason and place, the resources folded.
    private func checkComment(_ markdown: String, sha: String) throws {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "<!-- rolecall:plan -->")
        #expect(lines.dropFirst().first == "### rolecall plan for commit `\(sha.prefix(12))`")
        #expect(markdown.contains("**Plan: 3 to add, 0 to change, 2 to remove.** State serial 1, expiries evaluated at `2026-11-23T12:00:00Z`."))
        let people = try #require(markdown.range(of: "#### Who gains or loses access"))
        let resources = try #require(markdown.range(of: "<details>\n<summary>Resource changes in <b>acme</b>"))
        #expect(people.lowerBound < resources.lowerBound, "people come before the folded resource table")
        let section = String(markdown[people.upperBound..<resources.lowerBound])
        func block(_ email: String) -> String {
            guard let start = section.range(of: "- **`\(email)`**") else { return "" }
            let rest = section[start.lowerBound...]
            let end = rest.dropFirst().range(of: "\n- **")?.lowerBound ?? rest.endIndex
            return String(rest[..<end])
        }
        let jane = block("jane@acme.com")
        #expect(jane.contains("production: admin → **member**"))
        #expect(jane.contains("`-/+` grant `member:jane@acme.com:member@production` · `role: \"admin\" -> \"member\"`"))
        #expect(!jane.contains("external"))
        let bob = block("bob@acme.com")
        #expect(bob.contains("staging: viewer → **none**"))
        #expect(bob.contains("`-` grant `member:bob@acme.com:viewer@staging` · removed from manifests · ticket IAM-2 · reason: Triage · declared at `m/acme.yaml:14:5`"))
        let temp = block("temp@agency.io")
        #expect(temp.hasPrefix("- **`temp@agency.io`** · **external** (outside `acme.com`)"))
        #expect(temp.contains("staging: none → **admin (pending acceptance)** · grant · "
            + "<span title=\"2026-12-21T05:00:00Z\">through 2026-12-20 (America/New_York)</span> · IAM-4"))
        #expect(markdown.contains("| -/+ | grant `member:jane@acme.com:member@production`<br>replaces `member:jane@acme.com:admin@production`"))
        #expect(!markdown.contains("invited_at"))
        #expect(!markdown.contains("status:"))
        #expect(markdown.utf8.count < 65_536)
    }

    /// Past the contractor's grant expiry, the scheduled job (`--only-expired --auto-approve`) revokes
    /// that grant and nothing else, even with an unmerged change in the working tree.
    private func checkScheduledRevoke(_ ws: Workspace, state: [String]) throws {
        try ws.write("acme.yaml", Self.branch.replacingOccurrences(of: "  - {email: bob@acme.com, role: member, sso: true}\n",
                                                                    with: "  - {email: bob@acme.com, role: member, sso: true}\n  - {email: new@acme.com, role: member, sso: true}\n"))
        let before = try #require(ws.read("state.json"))
        let early = try ws.run(["apply", "m", "--only-expired", "--auto-approve"] + state, now: "2026-12-20")
        #expect(early.status == 0)
        #expect(ws.read("state.json") == before, "nothing has expired yet: nothing is written")

        let nightly = try ws.run(["plan", "m", "--only-expired", "--format", "json"] + state, now: "2026-12-22")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(nightly.stdout.utf8)) as? [String: Any])
        let access = try #require(json["access_changes"] as? [[String: Any]])
        #expect(access.count == 1)
        #expect(access.first?["email"] as? String == "temp@agency.io")
        #expect(access.first?["expired"] as? Bool == true)
        #expect(access.first?["pending_before"] as? String == "admin")

        let revoke = try ws.run(["apply", "m", "--only-expired", "--auto-approve"] + state, now: "2026-12-22")
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(revoke.stdout.contains("Apply complete: 1 change applied"))
        let after = try #require(ws.read("state.json"))
        #expect(!after.contains("member:temp@agency.io:admin@staging"))
        #expect(!after.contains("new@acme.com"), "only expiries are applied")
        for kept in ["temp@agency.io\": {", "member:jane@acme.com:member@production", "owner@acme.com", "bob@acme.com"] {
            #expect(after.contains(kept))
        }
        let audit = try #require(ws.read("rolecall.audit.jsonl"))
        #expect(audit.split(separator: "\n").last?.contains("member:temp@agency.io:admin@staging") == true)
    }
}
