import Foundation

/// `settings.policy.protected_roles`: a change that grants, removes or changes a protected role
/// (a member's org role, a grant of it, a membership of a team holding it, or the list of protected
/// roles itself) is a warning in `plan`, so reviewers see it, and stops `apply` unless
/// `--allow-protected` is given. Roles protected in the manifests or in the state both count, so a
/// plan cannot drop the protection and use the role at once. Revoking expired access and invitation
/// bookkeeping (re-sent, accepted) are never held up.
public struct ProtectedRolesRule: PlanPolicy {
    public static let code = DiagnosticCode.protectedRole

    public init() {}

    public func check(_ context: PolicyContext) -> [Diagnostic] {
        guard !context.protectedRoles.isEmpty, context.options.protectedChanges != .allow else { return [] }
        let refuse = context.options.protectedChanges == .refuse
        return context.changes.compactMap { change -> Diagnostic? in
            guard let role = Self.protectedRole(touchedBy: change, context) else { return nil }
            let subject = change.id.kind == .settings ? "the settings" : "\(change.id.kind.noun) '\(change.id.key)'"
            let what = "\(Self.verb(change.action)) \(subject) of org '\(context.org)' changes \(role)"
            return refuse
                ? .error(Self.code, what, at: change.location,
                         notes: [DiagnosticNote("if this is intended, re-run apply with --allow-protected")])
                : .warning(Self.code, what + "; apply needs --allow-protected", at: change.location)
        }
    }

    private static func verb(_ action: Change.Action) -> String {
        switch action {
        case .create: return "adding"
        case .update: return "changing"
        case .delete: return "removing"
        }
    }

    /// The protected role a change grants, removes or changes (`protected role 'owner'`, `... through
    /// team 'admins'`, `the protection of role 'owner'`); nil when it touches none.
    static func protectedRole(touchedBy change: Change, _ context: PolicyContext) -> String? {
        switch change.reason {
        case .expired, .invitationResent, .invitationAccepted: return nil
        default: break
        }
        let protected = context.protectedRoles
        func role(_ attributes: Attributes?) -> String? {
            guard case let .string(role)? = attributes?["role"], protected.contains(role) else { return nil }
            return "protected role '\(role)'"
        }
        func roles(_ attributes: Attributes?) -> Set<String> {
            guard case let .strings(roles)? = attributes?["protected_roles"] else { return [] }
            return Set(roles)
        }
        switch change.id.kind {
        case .member:
            // A member's other fields (name, sso) are not the role; its expiry is how long they hold it.
            guard change.action != .update || change.before?["role"] != change.after?["role"]
                || change.before?["expires"] != change.after?["expires"] else { return nil }
            return role(change.after) ?? role(change.before)
        case .grant:
            return role(change.after) ?? role(change.before)
        case .teamMembership:
            guard case let .string(team)? = (change.after ?? change.before)?["team"], let held = context.protectedTeams[team] else {
                return nil
            }
            return "protected role '\(held)' through team '\(team)'"
        case .settings:
            // A new org's settings bring the protection; an org removed whole is its members' changes.
            guard change.action == .update else { return nil }
            return roles(change.before).symmetricDifference(roles(change.after)).sorted().first.map { "the protection of role '\($0)'" }
        case .app, .role, .team, .apiKey:
            return nil
        }
    }
}

extension ProtectedRolesRule {
    /// `apply PLANFILE`: the protected changes a saved plan recorded (its `protected_roles` results)
    /// stop the apply unless `--allow-protected` is given.
    public static func check(saved plan: Plan, allowProtected: Bool) -> [Diagnostic] {
        guard !allowProtected else { return [] }
        return plan.policies.filter { $0.rule == "protected_roles" && $0.stage == .plan }.flatMap { result in
            result.findings.map { finding -> Diagnostic in
                .error(code, finding.message, at: finding.location,
                       notes: [DiagnosticNote("if this is intended, re-run apply with --allow-protected")])
            }
        }
    }
}
