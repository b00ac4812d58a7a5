import Foundation

extension Policies {
    /// Every policy rule's verdict, org by org in byte order of names: the manifest rules each org's
    /// `settings.policy` sets (stage `manifest`), then `protected_roles` over the plan's changes (stage
    /// `plan`; also for an org gone from the manifests whose state still protects roles).
    public static func results(manifest: Manifest, plan: Plan, desired: DesiredState, state: State,
                               options: PlanOptions) -> [PolicyResult] {
        var results = ManifestPolicies.results(manifest, now: options.now)
        let contexts = plan.changes.isEmpty ? [] : PolicyContext.contexts(plan: plan, desired: desired, state: state, options: options)
        var byOrg = Dictionary(uniqueKeysWithValues: contexts.map { ($0.org, $0) })
        for org in manifest.organizations {
            let context = byOrg.removeValue(forKey: org.name)
            guard let first = org.settings.policy?.protectedRoles.first else { continue }
            results.append(PolicyResult(org: org.name, rule: "protected_roles", stage: .plan, location: first.location,
                                        diagnostics: context.map { ProtectedRolesRule().check($0) } ?? []))
        }
        for context in byOrg.values where !context.protectedRoles.isEmpty {
            results.append(PolicyResult(org: context.org, rule: "protected_roles", stage: .plan, location: nil,
                                        diagnostics: ProtectedRolesRule().check(context)))
        }
        // Stable: within an org, the rules keep the order they ran in.
        return results.enumerated().sorted { a, b in
            a.element.org == b.element.org ? a.offset < b.offset : byteOrder(a.element.org, b.element.org)
        }.map(\.element)
    }
}

extension Workflow.Planned {
    /// Records every policy rule's verdict in the plan (`plan.policies`, the plan document's `policies`).
    public mutating func recordPolicyResults(options: PlanOptions) {
        guard let current = plan, let manifest, let desired else { return }
        plan?.policies = Policies.results(manifest: manifest, plan: current, desired: desired, state: state, options: options)
    }
}
