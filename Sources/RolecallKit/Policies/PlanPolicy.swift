import Foundation

/// A guardrail checked over a plan after the diff: it reads one org's part of the plan at a time and
/// reports what must stop it. A new rule is one more type conforming to this, added to `Policies.rules`.
public protocol PlanPolicy: Sendable {
    func check(_ context: PolicyContext) -> [Diagnostic]
}

/// Runs the policies over a plan. Pure: no I/O, no clock.
public enum Policies {
    /// The rules `check` runs by default, in the order their diagnostics are listed for each org.
    public static let rules: [any PlanPolicy] = [RemovalLimitRule(), OrgRemovalRule(), LastOwnerRule(), ProtectedRolesRule()]

    /// Every rule's diagnostics, org by org (orgs in byte order). Only orgs the plan touches are
    /// looked at: a plan that changes nothing in an org cannot break a rule there (and a no-op plan
    /// costs nothing here).
    public static func check(plan: Plan, desired: DesiredState, state: State, options: PlanOptions,
                             rules: [any PlanPolicy] = Policies.rules) -> [Diagnostic] {
        guard !plan.changes.isEmpty else { return [] }
        let contexts = PolicyContext.contexts(plan: plan, desired: desired, state: state, options: options)
        return contexts.flatMap { context in rules.flatMap { $0.check(context) } }
    }
}

extension Planner {
    /// The diff followed by the policies (what `Workflow.plan` does after reading): the plan and the
    /// policies' diagnostics.
    public static func plan(desired: DesiredState, current: State, options: PlanOptions) -> (Plan, [Diagnostic]) {
        let plan = diff(desired: desired, current: current, options: options)
        return (plan, Policies.check(plan: plan, desired: desired, state: current, options: options))
    }
}
