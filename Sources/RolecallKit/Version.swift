/// The tool's version, shown by `rolecall --version` and written into machine-readable output.
public enum RolecallVersion {
    public static let current = "0.1.0"
}
