import Foundation
import Testing

private let guarded = """
    org: acme
    settings:
      catalog: logrocket
      policy: {internal_domains: [acme.com], external_max_days: 90, protected_roles: [owner]}
    members:
      - {email: owner@acme.com, role: owner, sso: true}
      - {email: jane@acme.com, role: member, sso: true}

    """

/// Policy guardrails through the binary: validate, plan (warning and JSON results) and apply (--allow-protected).
@Suite("policy guardrails", .serialized)
struct PolicyCLITests {
    @Test func violationsAreErrorsInValidateAndPlan() throws {
        let ws = try Workspace(["acme.yaml": guarded + "  - {email: temp@agency.io, role: member}\n"])
        let validate = try ws.run(["validate", "m", "--format", "github"])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("::error file=m/acme.yaml,line=8,col=5,title=RC3501 policy-external-max-days::"))
        #expect(validate.stdout.contains("add `expires:` no later than 2027-02-21"))
        let plan = try ws.run(["plan", "m"])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("m/acme.yaml:8:5: error[RC3501 policy-external-max-days]: external member 'temp@agency.io' has no expiry"))
    }

    @Test func protectedChangesWarnInPlanAndNeedTheFlagOnApply() throws {
        let ws = try Workspace(["acme.yaml": guarded])
        // The first apply creates the owner: a protected change too.
        let refused = try ws.run(["apply", "m", "--auto-approve"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("changes protected role 'owner'"))
        #expect(refused.stderr.contains("--allow-protected"))
        #expect(ws.read("rolecall.state.json") == nil)
        #expect(try ws.run(["apply", "m", "--auto-approve", "--allow-protected"]).status == 0)

        try ws.write("acme.yaml", guarded.replacingOccurrences(of: "jane@acme.com, role: member", with: "jane@acme.com, role: owner"))
        let plan = try ws.run(["plan", "m", "--format", "json", "--out", "plan.json"])
        #expect(plan.status == 0)
        #expect(plan.stderr.contains("warning[RC5004 protected-role]: changing member 'jane@acme.com' of org 'acme' changes protected role 'owner'"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let policies = try #require(document["policies"] as? [[String: Any]])
        #expect(policies.map { "\($0["rule"] ?? "") \($0["stage"] ?? "") \($0["status"] ?? "")" }
            == ["external_max_days manifest pass", "protected_roles plan warn"])

        let saved = try ws.run(["apply", "plan.json", "--auto-approve"])
        #expect(saved.status == 1)
        #expect(saved.stderr.contains("changes protected role 'owner'"))
        #expect(try ws.run(["apply", "plan.json", "--auto-approve", "--allow-protected"]).status == 0)
    }
}
