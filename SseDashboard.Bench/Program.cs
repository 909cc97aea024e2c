// SseDashboard.Bench: fan-out to N SSE clients, measured against the targets and peer servers. See BenchOptions.Usage.
using SseDashboard.Bench;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

try
{
    var results = await new BenchRunner(options).RunAsync();
    Report.Print(results, options);
    if (options.Out is { } path)
    {
        await Report.WriteJsonAsync(results, options, path);
        Console.WriteLine($"results written to {path}");
    }

    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"benchmark failed: {ex.Message}");
    return 1;
}
