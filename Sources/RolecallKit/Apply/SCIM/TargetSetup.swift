import Foundation

/// What `plan`, `apply` and `drift` need for orgs with a target: the target to apply through, the
/// state as the servers hold it (refresh), and what was changed outside rolecall.
public struct TargetSetup: Sendable {
    public var target: any ApplyTarget
    public var drift: [DriftItem] = []
    /// Problems reaching a target (a missing token, a server that fails): errors.
    public var diagnostics: [Diagnostic] = []
    /// Orgs whose changes go to a SCIM server.
    public var scimOrgs: [String] = []
    /// The state as the targets hold it, when they were read (`refresh`): plan against it.
    public var refreshed: State?

    public init(target: any ApplyTarget) {
        self.target = target
    }

    /// How a client is made for an org (the HTTP transport; tests may pass another).
    public typealias ClientMaker = @Sendable (_ baseURL: String, _ token: String) -> ScimClient

    public static let httpClient: ClientMaker = { ScimClient(transport: HTTPScimTransport(baseURL: $0, token: $1)) }

    /// Reads the manifests, then sets up their orgs' targets (see `prepare(planned:…)`): for `rolecall drift`,
    /// which needs no plan.
    public static func prepare(folder: String, backend: any StateBackend, options: PlanOptions, reading: ReadOptions = ReadOptions(),
                               environment: [String: String], refresh: Bool,
                               makeClient: ClientMaker = TargetSetup.httpClient) async -> TargetSetup {
        let planned = Workflow.plan(manifests: folder, store: backend, options: options, reading: reading)
        return await prepare(planned: planned, now: options.now, environment: environment, refresh: refresh,
                             makeClient: makeClient)
    }

    /// Whether any org of the manifests has a target (nothing to set up otherwise).
    public static func hasTargets(_ planned: Workflow.Planned) -> Bool {
        planned.manifest?.organizations.contains { $0.settings.target != nil } ?? false
    }

    /// Sets up the targets of the orgs `planned` read (a plan already made: the manifests are not read
    /// again) and, with `refresh`, reads each SCIM server and folds what it holds into the state the plan
    /// was made against; `refreshed` is then that state, to plan again against. Orgs without a target,
    /// and manifests that do not validate, leave everything as it was.
    public static func prepare(planned: Workflow.Planned, now: Date, environment: [String: String],
                               refresh: Bool, makeClient: ClientMaker = TargetSetup.httpClient) async -> TargetSetup {
        var setup = TargetSetup(target: RecordOnlyTarget())
        guard let manifest = planned.manifest else { return setup }
        var makers: [String: RoutingTarget.Maker] = [:]
        var refreshers: [ScimRefresh] = []
        for org in manifest.organizations {
            guard let settings = org.settings.target else { continue }
            switch client(for: org, settings: settings, environment: environment, makeClient: makeClient) {
            case let .failure(problem): setup.diagnostics.append(problem)
            case let .success(client):
                let name = org.name
                makers[name] = { ScimTarget(org: name, settings: settings, client: client, plan: $0, state: $1) }
                refreshers.append(ScimRefresh(org: name, settings: settings, client: client))
            }
        }
        setup.scimOrgs = makers.keys.sorted()
        setup.target = RoutingTarget(makers: makers)
        guard refresh, !refreshers.isEmpty, setup.diagnostics.isEmpty else { return setup }
        var state = planned.state
        for refresher in refreshers {
            do {
                let (next, drift) = try await refresher.refresh(state, now: now)
                state = next
                setup.drift += drift
            } catch {
                setup.diagnostics.append(.error(.targetUnavailable, "refreshing org '\(refresher.org)' from its SCIM target failed: \(error)", at: nil))
            }
        }
        setup.refreshed = state
        return setup
    }

    /// The org's client: the URL from the manifest or its variable, the token from its variable.
    static func client(for org: Organization, settings: TargetSettings, environment: [String: String],
                       makeClient: ClientMaker) -> Result<ScimClient, Diagnostic> {
        guard let url = settings.baseURL(environment: environment) else {
            return .failure(.error(.targetUnavailable, "org '\(org.name)': the SCIM target's URL variable \(settings.urlEnv ?? "") is not set",
                                   at: settings.location))
        }
        guard let variable = settings.tokenEnv, let token = environment[variable], !token.isEmpty else {
            return .failure(.error(.targetUnavailable, "org '\(org.name)': the SCIM token variable \(settings.tokenEnv ?? "") is not set", at: settings.location))
        }
        return .success(makeClient(url, token))
    }
}

extension TargetSetup {
    /// A saved plan names no targets (they are in the manifests), so `apply PLANFILE` cannot carry out
    /// changes of an org whose state shows a target (resources with a remote id): refused rather than
    /// recorded without being done.
    public static func checkPlanFile(backend: any StateBackend) -> Diagnostic? {
        guard let state = try? backend.read() else { return nil }
        let orgs = Set(state.resources.lazy.filter { $0.value[AppliedResource.remoteIDAttribute] != nil }.map(\.key.org))
        guard !orgs.isEmpty else { return nil }
        return .error(.targetUnavailable, "apply PLANFILE cannot reach the targets of org(s) \(orgs.sorted().joined(separator: ", ")) "
                      + "(a plan file names no target); apply the manifest folder instead", at: nil)
    }
}
