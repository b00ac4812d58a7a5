import Foundation
import Testing
@testable import RolecallKit

/// Issue 18.3: LaunchDarkly's "exactly one owner" counts effective owners, after the access rules.
@Suite("Exactly one owner, on effective access (issue 18.3)")
struct OwnerRuleTests {
    static func org(_ extra: String) -> String {
        """
        org: acme
        settings: {catalog: launchdarkly}
        apps: [{name: prod}]
        roles: [{name: flag-editor, scope: app, permissions: [flags.update]}]
        members: [{email: owner@acme.io, role: owner}, {email: ann@acme.io, role: admin}]

        """ + extra
    }

    /// The errors as `line:column: code name`.
    static func errors(_ yaml: String) -> [String] {
        let result = validate(yaml)
        return zip(result.diagnostics, codes(result)).filter { $0.0.severity == .error }.map(\.1)
    }

    @Test func theBaseCaseIsValid() {
        #expect(Self.errors(Self.org("")) == [])
    }

    @Test func ownerThroughADirectGrantIsASecondOwner() {
        let errors = Self.errors(Self.org("grants: [{member: ann@acme.io, role: owner}]\n"))
        #expect(errors == ["6:38: RC3304 multiple-owners"])
        let result = validate(Self.org("grants: [{member: ann@acme.io, role: owner}]\n"))
        #expect(result.diagnostics.first?.notes.first?.location?.line == 5)
    }

    @Test func ownerThroughATeamRoleIsASecondOwner() {
        let errors = Self.errors(Self.org("teams: [{name: ops, members: [ann@acme.io], roles: [{role: owner}]}]\n"))
        #expect(errors == ["6:60: RC3304 multiple-owners"])
    }

    @Test func aDirectOrgGrantToTheOwnerLeavesNone() {
        let result = validate(Self.org("grants: [{member: owner@acme.io, role: admin}]\n"))
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: admin}]\n")) == ["6:40: RC3303 owner-replaced"])
        #expect(result.diagnostics.first?.notes.first?.location?.line == 5)
    }

    @Test func aDirectProjectGrantToTheOwnerLeavesNone() {
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: flag-editor, app: prod}]\n")) == [
            "6:40: RC3303 owner-replaced",
        ])
    }

    @Test func theOwnerGrantedOwnerDirectlyIsStillTheOnlyOne() {
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: owner}]\n")) == [])
        // A team role adds to the base role: the owner on a team that is granted owner is one owner.
        #expect(Self.errors(Self.org("teams: [{name: ops, members: [owner@acme.io], roles: [{role: owner}]}]\n")) == [])
    }

    @Test func expiredBindingsDoNotCount() {
        #expect(Self.errors(Self.org("grants: [{member: ann@acme.io, role: owner, expires: 2026-01-01}]\n")) == [])
        #expect(Self.errors(Self.org("grants: [{member: owner@acme.io, role: admin, expires: 2026-01-01}]\n")) == [])
        #expect(Self.errors(Self.org("teams: [{name: ops, members: [{email: ann@acme.io, expires: 2026-01-01}], roles: [{role: owner}]}]\n")) == [])
    }

    /// Random LaunchDarkly orgs (owners by base role, direct grants on the org and on apps, team
    /// roles, bindings expired or not, addresses that are no member): the holders and the replaced
    /// base roles are those of the rule as first written, which gathered every live member and every
    /// member's direct grants (`reference` below).
    @Test func holdersAreThoseOfTheRuleAsFirstWritten() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let people = (0..<6).map { "p\($0)@acme.io" }
            func pick<T>(_ options: [T]) -> T { options.randomElement(using: &generator)! }
            func expiry() -> String { pick(["", "", ", expires: 2026-01-01", ", expires: 2027-01-01"]) }
            let roles = ["owner", "owner", "admin", "writer", "reader"]
            var yaml = Self.org("").replacingOccurrences(of: "members: [{email: owner@acme.io, role: owner}, {email: ann@acme.io, role: admin}]\n", with: "")
            yaml += "members:\n" + people.dropLast().map { "  - {email: \($0), role: \(pick(roles))\(expiry())}\n" }.joined()
            yaml += "teams:\n" + (0..<2).map { t in
                "  - {name: t\(t), members: [" + people.shuffled(using: &generator).prefix(2).map { "{email: \($0)\(expiry())}" }.joined(separator: ", ")
                    + "], roles: [{role: \(pick(roles))\(pick(["", ", app: prod"]))\(expiry())}]}\n"
            }.joined()
            yaml += "grants:\n" + (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                "  - {member: \(pick(people)), role: \(pick(roles + ["flag-editor"]))\(pick(["", ", app: prod"]))\(expiry())}\n"
            }.joined()
            let merged = Validation.merge(ManifestLoader(now: fixedNow).read(files: [(path: "m.yaml", bytes: Array(yaml.utf8))]), now: fixedNow)
            let org = try #require(merged.manifest?.organizations.first, "round \(round):\n\(yaml)")
            let rule = OwnerRule(now: fixedNow, sink: DiagnosticSink())
            let (holders, replaced) = rule.holders(of: "owner", in: org)
            let expected = Self.reference(org, now: fixedNow)
            #expect(holders == expected.holders, "round \(round):\n\(yaml)")
            #expect(replaced.map { "\($0.member.email) \($0.by.location)" } == expected.replaced.map { "\($0.member.email) \($0.by.location)" },
                    "round \(round):\n\(yaml)")
        }
    }

    /// The rule as first written (commit 042e52c), kept as the oracle for the one that reads less.
    static func reference(_ org: Organization, now: Date) -> (holders: [OwnerRule.Holder], replaced: [(member: Member, by: Grant)]) {
        let role = "owner", rules = org.settings.catalog.accessRules
        func live(_ expiry: Expiry?) -> Bool { !(expiry?.hasPassed(at: now) ?? false) }
        var members = Set<String>()
        for member in org.members where live(member.expires) { members.insert(member.email) }
        let grants = org.grants.filter { live($0.expires) }
        var direct: [String: [Grant]] = [:]
        for grant in grants {
            if case let .member(email) = grant.subject.value, members.contains(email) { direct[email, default: []].append(grant) }
        }
        var holders: [String: OwnerRule.Holder] = [:]
        func hold(_ email: String, at location: RolecallKit.SourceLocation, via: String) {
            if let known = holders[email], known.location <= location { return }
            holders[email] = OwnerRule.Holder(email: email, location: location, via: via)
        }
        var replaced: [(member: Member, by: Grant)] = []
        for member in org.members where member.role.value == role && members.contains(member.email) {
            if rules.directRoleReplacesBase, let grant = direct[member.email]?.min(by: { $0.location < $1.location }) {
                replaced.append((member, grant))
            } else {
                hold(member.email, at: member.role.location, via: "")
            }
        }
        let teams = Dictionary(org.teams.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for grant in grants where grant.app == nil && grant.role.value == role {
            switch grant.subject.value {
            case let .member(email) where members.contains(email):
                hold(email, at: grant.role.location, via: " through a grant")
            case let .team(name):
                for membership in teams[name]?.members ?? [] where live(membership.expires) && members.contains(membership.email.value) {
                    hold(membership.email.value, at: grant.role.location, via: " through team '\(name)'")
                }
            default: break
            }
        }
        return (holders.values.sorted { ($0.location, $0.email) < ($1.location, $1.email) }, replaced)
    }
}
