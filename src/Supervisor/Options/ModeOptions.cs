using Supervisor.Handoff;

namespace Supervisor.Options;

/// <summary>How apps exchange messages, and the WebSocket extensions offered to clients.</summary>
/// <param name="Mode">--mode (or --binary): the mode of every app, except apps under --dir whose
/// name starts with a mode (<see cref="AppModes.FromFileNamePrefix"/>).</param>
/// <param name="CgiConcurrency">--cgi-concurrency: runs of a cgi-mode app at once per connection.</param>
/// <param name="CgiTimeoutSeconds">--cgi-timeout: a cgi run still going after this is killed.</param>
/// <param name="Compression">false with --no-compression: permessage-deflate offers are declined.</param>
public sealed record ModeOptions(AppMode Mode, int CgiConcurrency, int CgiTimeoutSeconds, bool Compression);
