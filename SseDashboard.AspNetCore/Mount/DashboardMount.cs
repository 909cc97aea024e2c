using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace SseDashboard.Mount;

/// <summary>
/// Where <c>MapSseDashboard</c> put the dashboard: every page, stream, API and file is below <see cref="Path"/>
/// (empty at the root). Set once; until then the pages are not routable, so they never shadow a host's own.
/// </summary>
public sealed class DashboardMount : IActionDescriptorChangeProvider
{
    /// <summary>The Razor Pages area the dashboard's pages live in, away from a host's <c>/Pages</c>.</summary>
    public const string Area = "SseDashboard";

    // Fires once, when the mount is set; the token given after that never fires (a fired one would loop the framework).
    private CancellationTokenSource _mounting = new();
    private string? _path;

    /// <summary>The mount path without a trailing slash: <c>/ops</c>, or empty at the root.</summary>
    public PathString Path => _path ?? "";

    public bool IsMounted => _path is not null;

    /// <summary>Records the mount path; a second call is refused, whatever its path.</summary>
    public void Set(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = "/" + path.Trim().Trim('/');
        if (normalized.Contains("//", StringComparison.Ordinal) || normalized.IndexOfAny(['{', '}', '*', '?', '#']) >= 0)
        {
            throw new ArgumentException($"The dashboard's mount path must be a plain path such as \"/ops\" (was \"{path}\").", nameof(path));
        }

        normalized = normalized == "/" ? "" : normalized;
        if (Interlocked.CompareExchange(ref _path, normalized, null) is { } existing)
        {
            throw new InvalidOperationException(
                $"MapSseDashboard was already called with \"{(existing.Length == 0 ? "/" : existing)}\": the dashboard mounts at one path per app, so \"{path}\" is refused.");
        }

        // Pages whose routes were built before the mount was known are rebuilt under it.
        Interlocked.Exchange(ref _mounting, new CancellationTokenSource()).Cancel();
    }

    /// <summary>The path below the mount (<c>/sse</c> for <c>/ops/sse</c>); false for a path outside it.</summary>
    public bool Contains(PathString path, out PathString rest)
    {
        if (Path.Value is not { Length: > 0 } mount)
        {
            rest = path;
            return true;
        }

        return path.StartsWithSegments(mount, StringComparison.OrdinalIgnoreCase, out rest);
    }

    /// <summary><paramref name="relative"/> (<c>/login</c>) as the browser must ask for it from this request.</summary>
    public string Url(HttpRequest request, string relative) => request.PathBase.Add(Path).Add(relative).ToString();

    /// <summary>A page route below the mount: the area's own prefix gives way to the mount path.</summary>
    internal void Apply(PageRouteModel model)
    {
        if (!IsMounted)
        {
            model.Selectors.Clear();
            return;
        }

        foreach (var selector in model.Selectors)
        {
            if (selector.AttributeRouteModel is not { Template: { } template } route)
            {
                continue;
            }

            var relative = template.StartsWith(Area, StringComparison.OrdinalIgnoreCase) ? template[Area.Length..].TrimStart('/') : template;
            var mount = Path.Value!.TrimStart('/');
            route.Template = mount.Length == 0 ? relative : relative.Length == 0 ? mount : $"{mount}/{relative}";
        }
    }

    IChangeToken IActionDescriptorChangeProvider.GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _mounting).Token);
}
