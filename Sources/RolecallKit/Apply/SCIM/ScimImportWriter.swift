import Foundation

extension ScimImport {
    /// Writes `DIR/<org>.yaml` (0600) and a state at `statePath` that records it as applied, with the
    /// server's ids. Refuses an existing manifest file or state: nothing is overwritten.
    public func write(_ imported: Imported, to folder: String, statePath: String, now: Date) -> [Diagnostic] {
        let file = (folder as NSString).appendingPathComponent("\(org).yaml")
        let backend = FileStateBackend(path: statePath)
        if FileManager.default.fileExists(atPath: file) { return [.error(.importFailed, "\(file) exists; import writes new files only", at: nil)] }
        do {
            if try backend.read() != nil { return [.error(.importFailed, "state \(statePath) exists; import writes a new state only", at: nil)] }
        } catch {
            return [.error(.importFailed, error.description, at: nil)]
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: file, contents: Data(manifest(imported).utf8), attributes: [.posixPermissions: 0o600]) else {
                return [.error(.importFailed, "cannot write \(file)", at: nil)]
            }
        } catch {
            return [.error(.importFailed, "cannot write \(file): \(error.localizedDescription)", at: nil)]
        }
        let planned = Workflow.plan(manifests: folder, store: backend, options: PlanOptions(now: now))
        guard let plan = planned.plan else {
            return planned.diagnostics + [.error(.importFailed, "the imported manifests in \(file) do not plan; no state written", at: nil)]
        }
        var state = State(serial: 1)
        state.evaluatedAt = now
        for change in plan.changes {
            var recorded = change
            if var after = change.after {
                if change.id.kind == .member {
                    after["status"] = .string("active")
                    after["invited_at"] = nil
                    after[AppliedResource.remoteIDAttribute] = imported.userIDs[change.id.key].map(Value.string)
                }
                if change.id.kind == .team { after[AppliedResource.remoteIDAttribute] = imported.groupIDs[change.id.key].map(Value.string) }
                recorded.after = after
            }
            state.apply(recorded)
        }
        do {
            let lock = try backend.lock(owner: .current(environment: [:]), timeout: 0)
            defer { lock.release() }
            try backend.write(state, replacing: nil, holding: lock)
        } catch {
            return [.error(.importFailed, error.description, at: nil)]
        }
        return imported.skipped.map { .warning(.importSkippedUser, "user '\($0)' has no e-mail-like userName; not imported", at: nil) }
    }
}
