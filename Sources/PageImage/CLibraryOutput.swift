import CPoppler

/// What the C libraries behind the decoders print. PageImage silences their logging callbacks
/// itself, but poppler's cairo backend and fontconfig also fprintf(stderr) about broken fonts
/// ("some font thing failed"), which only a process-wide switch stops: the C `stderr` stream is
/// pointed at /dev/null. A library must not flip that for its host, so a program calls this when
/// it wants one report line per bad file and nothing else (the docvault CLI, except `serve`, whose
/// logs go through the same stream). Swift's FileHandle.standardError is not affected.
public enum CLibraryOutput {
    public static func silence() { dv_c_stderr_to_null() }
}
