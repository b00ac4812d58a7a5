/// Each state problem's diagnostic code (RC4xxx): a new `StateError` case gets its code here.
extension StateError {
    public var code: DiagnosticCode {
        switch self {
        case .unreadable: return .stateUnreadable
        case .invalid: return .stateInvalid
        case .unwritable: return .stateUnwritable
        case .locked: return .stateLocked
        case .conflict: return .stateConflict
        case .fork: return .stateFork
        case .serialExhausted: return .serialExhausted
        case .notLocked: return .stateNotLocked
        case .sharesStateFile: return .sharesStateFile
        }
    }

    /// The problem as a diagnostic that belongs to no manifest file.
    public var diagnostic: Diagnostic { .error(code, description, at: nil) }
}
