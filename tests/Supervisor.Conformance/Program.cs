using Supervisor.Conformance;
using Supervisor.Conformance.Fuzzing;

// Supervisor.Conformance --url=ws://127.0.0.1:9001/exact-echo.sh [--bulk-url=URL] [--cases=1,2,6.4]
//                        [--time-scale=N] [--list] [--verbose]
// Exit status: 0 nothing FAILED, 1 something FAILED, 2 bad usage.
const string Usage = "usage: Supervisor.Conformance --url=ws://HOST:PORT/PATH [--bulk-url=URL] [--cases=PATTERNS] [--time-scale=N] [--list] [--verbose]";
var options = new Dictionary<string, string>();
foreach (string arg in args)
{
    if (!arg.StartsWith("--", StringComparison.Ordinal))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
    string[] pair = arg[2..].Split('=', 2);
    options[pair[0]] = pair.Length > 1 ? pair[1] : "true";
}

var cases = Suite.Select(options.GetValueOrDefault("cases"));
if (options.ContainsKey("list"))
{
    foreach (var c in cases)
        Console.WriteLine($"{c.Id,-8} {c.Description}");
    return 0;
}
if (!options.TryGetValue("url", out string? url) || !Uri.TryCreate(url, UriKind.Absolute, out var target))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var bulk = options.TryGetValue("bulk-url", out string? bulkUrl) ? new Uri(bulkUrl) : target;
double scale = options.TryGetValue("time-scale", out string? s) ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 1;
bool verbose = options.ContainsKey("verbose");

var clock = System.Diagnostics.Stopwatch.StartNew();
var runner = new Runner(target, bulk, scale, r =>
{
    if (verbose || r.Outcome == Outcome.Failed)
        Console.WriteLine(Report.Line(r));
});
var results = await runner.RunAsync(cases, CancellationToken.None);
Console.WriteLine();
Console.Write(Report.Format(results, clock.Elapsed));
return results.Any(r => r.Outcome == Outcome.Failed) ? 1 : 0;
