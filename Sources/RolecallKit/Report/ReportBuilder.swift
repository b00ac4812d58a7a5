import Foundation

extension AccessReport {
    /// The report over `resources` (the recorded state, or the desired state when there is none) at
    /// `now`; reviews and externals come from the manifests, recent changes from the audit log.
    public init(manifest: Manifest, resources: ResourceTable, source: String, history: AuditHistory?, auditSource: String?, now: Date) {
        generatedAt = now
        self.source = source
        self.auditSource = auditSource
        let people = EffectiveAccess.compute(resources, now: now)
        var byOrg: [String: [ResourceID: Attributes]] = [:]
        for (id, a) in resources { byOrg[id.org, default: [:]][id] = a }
        let names = Set(byOrg.keys).union(manifest.organizations.map(\.name)).sorted(by: byteOrder)
        orgs = names.map { name in
            OrgBuilder(name: name, declared: manifest.organization(named: name), resources: byOrg[name] ?? [:],
                       people: people.filter { $0.org == name }, now: now).build()
        }
        recentChanges = Array((history?.entries ?? []).reversed().prefix(Self.recentChangesShown))
    }
}

/// One org's part of the report.
private struct OrgBuilder {
    let name: String
    let declared: Organization?
    let resources: [ResourceID: Attributes]
    let people: [EffectiveAccess.Person]
    let now: Date

    func build() -> AccessReport.Org {
        let settings = resources[ResourceID(org: name, kind: .settings, key: "")]
        let catalogID = EffectiveAccess.string(settings, "catalog").flatMap(CatalogID.init(rawValue:)) ?? declared?.settings.catalog ?? .custom
        let apps = resources.keys.filter { $0.kind == .app }.map(\.key).sorted(by: byteOrder)
        let scopes: [String?] = [nil] + apps
        let catalog = RoleCatalog.builtin(catalogID)
        let rows = people.map { person in
            AccessReport.Row(email: person.email, status: person.status, cells: scopes.map { cell(person.scope($0), catalog: catalog) })
        }
        var externals: [AccessReport.Row]?
        if let policy = declared?.settings.policy, !policy.internalDomains.isEmpty {
            externals = rows.filter { policy.isExternal($0.email) }
        }
        let pending = resources.filter { $0.key.kind == .member && EffectiveAccess.string($0.value, "status") == "invited" }
            .map { (email: $0.key.key, since: EffectiveAccess.string($0.value, "invited_at")) }.sorted { byteOrder($0.email, $1.email) }
        let keys = resources.filter { $0.key.kind == .apiKey }.map { key(id: $0.key, $0.value) }.sorted { byteOrder($0.name, $1.name) }
        let reviews = declared.map { Reviews.items(of: $0, now: now) } ?? []
        let expiries = expiryEvents()
        let expiringEnd = now.addingTimeInterval(TimeInterval(AccessReport.expiringDays) * 86_400)
        let timelineEnd = now.addingTimeInterval(TimeInterval(AccessReport.timelineDays) * 86_400)
        var timeline = expiries.filter { $0.at <= timelineEnd }
        timeline += reviews.filter { !$0.isOverdue(at: now) && $0.overdueFrom <= timelineEnd }.map {
            AccessReport.Event(at: $0.overdueFrom, kind: .review, what: "review of \($0.id) due by \($0.due)")
        }
        timeline += keys.compactMap { key in
            guard let due = key.rotationDue, due > now, due <= timelineEnd else { return nil }
            return AccessReport.Event(at: due, kind: .rotation, what: "API key \(key.name) due for rotation")
        }
        return AccessReport.Org(name: name, catalog: catalogID, scopes: scopes, rows: rows, externals: externals, pending: pending,
                                expiring: expiries.filter { $0.at <= expiringEnd }, overdueReviews: reviews.filter { $0.isOverdue(at: now) },
                                keys: keys, timeline: timeline.sorted { ($0.at, $0.what) < ($1.at, $1.what) })
    }

    private func cell(_ scope: EffectiveAccess.Scope?, catalog: RoleCatalog) -> AccessReport.Cell {
        guard let scope, let label = scope.label else { return AccessReport.Cell(role: nil, how: [], weight: 0) }
        var how: [String] = []
        for binding in scope.bindings {
            let text: String
            switch binding.source {
            case .baseRole: text = "base"
            case .directGrant: text = "grant"
            case let .team(team): text = "team \(team)"
            case let .orgRole(role): text = "org role \(role)"
            }
            if !how.contains(text) { how.append(text) }
        }
        let ranked = catalog.roles(in: scope.app == nil ? .org : .app)
        var weight = 0.5
        if let role = scope.role, let index = ranked.firstIndex(where: { $0.name == role }) {
            weight = 1 - Double(index) / Double(max(ranked.count, 1))
        }
        return AccessReport.Cell(role: label, how: how, weight: weight)
    }

    /// Every recorded expiry still ahead, as an event.
    private func expiryEvents() -> [AccessReport.Event] {
        resources.compactMap { id, a -> AccessReport.Event? in
            guard let written = EffectiveAccess.string(a, "expires"), let at = Timestamp.parse(written), at > now else { return nil }
            return AccessReport.Event(at: at, kind: .expiry, what: "\(id) expires")
        }.sorted { ($0.at, $0.what) < ($1.at, $1.what) }
    }

    private func key(id: ResourceID, _ a: Attributes) -> AccessReport.Key {
        AccessReport.Key(name: id.key, app: EffectiveAccess.string(a, "app") ?? "", access: EffectiveAccess.string(a, "access") ?? "",
                         owner: EffectiveAccess.string(a, "owner") ?? "", purpose: EffectiveAccess.string(a, "purpose"),
                         lastRotated: KeyRotation.lastRotated(a), rotationDue: KeyRotation.due(a, period: KeyRotation.period(a)),
                         expires: EffectiveAccess.string(a, "expires"), ticket: EffectiveAccess.string(a, "ticket"))
    }
}
