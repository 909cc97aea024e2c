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

    // Fires once, as the app starts; the token given after that never fires (a fired one would loop the framework).
    private CancellationTokenSource _mounting = new();
    private string? _path;

    /// <summary>The mount path without a trailing slash: <c>/ops</c>, or empty at the root.</summary>
    public PathString Path => _path ?? "";

    public bool IsMounted => _path is not null;

    /// <summary><paramref name="path"/> as a mount path: <c>/ops</c> for <c>ops/</c>, empty for <c>/</c>; a pattern is refused.</summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = "/" + path.Trim().Trim('/');
        if (normalized.Contains("//", StringComparison.Ordinal) || normalized.IndexOfAny(['{', '}', '*', '?', '#']) >= 0)
        {
            throw new ArgumentException($"The dashboard's mount path must be a plain path such as \"/ops\" (was \"{path}\").", nameof(path));
        }

        return normalized == "/" ? "" : normalized;
    }

    /// <summary>Refuses a second mount, whatever its path: the dashboard mounts at one path per app.</summary>
    public void EnsureUnmounted(string path)
    {
        if (_path is { } existing)
        {
            throw new InvalidOperationException(
                $"MapSseDashboard was already called with \"{(existing.Length == 0 ? "/" : existing)}\": the dashboard mounts at one path per app, so \"{path}\" is refused.");
        }
    }

    /// <summary>Records the mount path (from <see cref="Normalize"/>).</summary>
    public void Set(string normalized)
    {
        if (Interlocked.CompareExchange(ref _path, normalized, null) is { } existing)
        {
            EnsureUnmounted(existing);
        }
    }

    /// <summary>
    /// Rebuilds the pages' routes under the mount, with every convention the host put on them by now: a host that
    /// mapped its own pages first had them built before the mount was known. Called as the app starts (<see cref="MountStartupFilter"/>).
    /// </summary>
    public void Rebuild() => Interlocked.Exchange(ref _mounting, new CancellationTokenSource()).Cancel();

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

/// <summary>Rebuilds the pages under the mount as the pipeline is built: after the host's last convention, before the first request.</summary>
internal sealed class MountStartupFilter(DashboardMount mount) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        mount.Rebuild();
    };
}
